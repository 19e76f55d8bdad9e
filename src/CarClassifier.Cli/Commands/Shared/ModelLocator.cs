using CarClassifier.Core.Models;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>Turns a model name (a folder under models/) or a manifest path into a loaded manifest, or one line saying why not.</summary>
internal static class ModelLocator
{
    public static string ResolveManifest(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return Path.GetFullPath(model);
        foreach (var root in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            var candidate = Path.Combine(root, "models", model, "manifest.json");
            if (File.Exists(candidate)) return candidate;
        }

        throw new FileNotFoundException($"No model named '{model}': expected models/{model}/manifest.json (or pass a path to a manifest.json).");
    }

    /// <summary>
    /// Resolves and loads the manifest. On failure prints one line and returns the exit code: <see cref="ExitCodes.Usage"/>
    /// for a name that names no model, <see cref="ExitCodes.ModelUnavailable"/> for a manifest path that is missing,
    /// unreadable or invalid (permanent: a supervisor must not retry it).
    /// </summary>
    public static async Task<(string ManifestPath, ModelManifest? Manifest, int ExitCode)> LoadAsync(string model, CancellationToken cancellationToken)
    {
        string path;
        try
        {
            path = ResolveManifest(model);
        }
        catch (FileNotFoundException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{ex.Message}[/]");
            return ("", null, ExitCodes.Usage);
        }

        try
        {
            return (path, await ModelManifest.LoadAsync(path, cancellationToken).ConfigureAwait(false), ExitCodes.Success);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]No model manifest at {path}.[/] Pass a model name (see models/) or the path of an existing manifest.json.");
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // ModelManifest names the path in its message; say it once.
            var reason = ex.Message.Split('\n')[0].Replace($"Model manifest '{path}' is invalid: ", "", StringComparison.Ordinal);
            AnsiConsole.MarkupLineInterpolated($"[red]Model manifest {path} cannot be used:[/] {reason}");
        }

        return (path, null, ExitCodes.ModelUnavailable);
    }
}
