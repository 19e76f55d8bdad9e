using Spectre.Console;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>
/// The same check for every path a command writes to, made before anything is read or written: a folder option must
/// not name a file, nor lie under one, and a file option must not name a folder. Otherwise the command would fail
/// half-way with an IOException (report --out README.md once died with a stack trace creating README.md/thumbs).
/// </summary>
internal static class OutputPaths
{
    /// <summary>Null when <paramref name="path"/> can be (or already is) a folder; else the one-line error.</summary>
    public static ValidationResult? Folder(string? path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        var full = Path.GetFullPath(path);
        if (System.IO.File.Exists(full)) return ValidationResult.Error($"{option} '{path}' is a file; it must be a folder (it is created if missing).");
        return FileAbove(full, path, option);
    }

    /// <summary>Null when <paramref name="path"/> can be (or already is) a file; else the one-line error.</summary>
    public static ValidationResult? File(string? path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return ValidationResult.Error($"{option} '{path}' is a folder; it must name a file.");
        return FileAbove(full, path, option);
    }

    private static ValidationResult? FileAbove(string full, string path, string option)
    {
        for (var parent = Path.GetDirectoryName(full); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
        {
            if (System.IO.File.Exists(parent)) return ValidationResult.Error($"{option} '{path}' is inside '{parent}', which is a file, not a folder.");
            if (Directory.Exists(parent)) return null;
        }

        return null;
    }
}
