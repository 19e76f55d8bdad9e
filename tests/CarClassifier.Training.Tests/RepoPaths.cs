namespace CarClassifier.Training.Tests;

/// <summary>Finds the repository (models/, samples/, the .models cache) from the test's output directory.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Manifest(string modelName) => Path.Combine(Root, "models", modelName, "manifest.json");

    public static string ResNet18Manifest => Manifest("resnet18-imagenet-features");

    /// <summary>The shared model cache (git-ignored), so the prepared ResNet-18 is built once per machine.</summary>
    public static string ModelCache => Path.Combine(Root, ".models");

    public static string SampleVehicles => Path.Combine(Root, "samples", "labelled", "vehicle_types");

    /// <summary>…/shared/testdata/labelled next to the checkout, or null in a user's clone.</summary>
    public static string? SharedLabelled
    {
        get
        {
            for (var dir = new DirectoryInfo(Root); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "testdata", "labelled");
                if (Directory.Exists(candidate)) return candidate;
            }

            return null;
        }
    }

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
