namespace CarClassifier.Cli.Commands.Run;

/// <summary>
/// The sample photos shipped in the repository (samples/images), the default of <c>carclass run</c>, so a fresh clone
/// needs nothing beside it. Found from the current directory, else from the folders above the built CLI.
/// </summary>
internal static class SampleImages
{
    public const string RelativePath = "samples/images";

    /// <summary>The attribution file sits with the photos; it is not an image, so the default run does not upload it.</summary>
    public const string AttributionFile = "SOURCES.md";

    public static string? Find()
    {
        var fromCurrent = Path.GetFullPath(RelativePath);
        if (Directory.Exists(fromCurrent)) return fromCurrent;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, RelativePath);
            if (Directory.Exists(candidate)) return candidate;
        }

        return null;
    }
}
