namespace CarClassifier.Core.Tests.Models;

/// <summary>Finds the checked-in models/ folder from the test's output directory.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string ModelsFolder => Path.Combine(Root, "models");

    public static string Manifest(string modelName) => Path.Combine(ModelsFolder, modelName, "manifest.json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")) && Directory.Exists(Path.Combine(dir.FullName, "models")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No repository root with models/ above {AppContext.BaseDirectory}.");
    }
}
