using System.Reflection;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>Where the repository and its build outputs are, as recorded at build time.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Metadata("RepoRoot");

    public static string Configuration { get; } = Metadata("Configuration");

    public static string Models => Path.Combine(Root, "models");

    private static string Metadata(string key) =>
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
