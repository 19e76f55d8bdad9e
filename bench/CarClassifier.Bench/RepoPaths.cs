namespace CarClassifier.Bench;

/// <summary>Finds the repository root (the folder holding Serverless.sln) so paths work from any current directory.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Find();

    /// <summary>Resolves <paramref name="path"/>: absolute as is, else against the current directory if it exists there, else the repo root.</summary>
    public static string Resolve(string path)
    {
        if (Path.IsPathRooted(path)) return path;
        var current = Path.GetFullPath(path);
        return File.Exists(current) || Directory.Exists(current) ? current : Path.GetFullPath(Path.Combine(Root, path));
    }

    private static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln"))) return dir.FullName;
            }
        }

        // Published bench (bench/device): models/ and host.json travel next to the binary.
        return AppContext.BaseDirectory;
    }
}
