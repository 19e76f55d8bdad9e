using System.Reflection;

namespace CarClassifier.Infra.Tests;

/// <summary>Finds the repository root: the folder holding Serverless.sln above the test assembly, or the one recorded at build time.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(Locate);

    public static string Root => RootPath.Value;

    public static string Infra => Path.Combine(Root, "infra");

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Serverless.sln"))
                && Directory.Exists(Path.Combine(dir.FullName, "infra")))
            {
                return dir.FullName;
            }
        }

        var recorded = typeof(RepositoryPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        return recorded is not null && Directory.Exists(Path.Combine(recorded, "infra"))
            ? recorded
            : throw new DirectoryNotFoundException("Could not find the repository root (Serverless.sln next to infra/).");
    }
}
