namespace CarClassifier.Cli.Commands.Shared;

/// <summary>Lists the files to upload from a folder: every regular, non-hidden file, recursively, in a stable order.</summary>
internal static class ImageFolder
{
    public static IReadOnlyList<string> List(string folder) =>
        Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System })
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();
}
