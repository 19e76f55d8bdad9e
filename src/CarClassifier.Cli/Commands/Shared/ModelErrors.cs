using CarClassifier.Cli.Output;
using CarClassifier.Core.Models;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>Explains model problems in plain words, with what to do next.</summary>
internal static class ModelErrors
{
    public static bool IsModelProblem(Exception ex) =>
        Unwrap(ex) is ModelUnavailableException or ModelIntegrityException or InvalidDataException or FileNotFoundException;

    public static void Explain(Exception ex, ModelManifest manifest)
    {
        var inner = Unwrap(ex);
        CliConsole.Error.MarkupLineInterpolated($"[red bold]Model {manifest.Name} is not available.[/]");
        if (inner is ModelUnavailableException { InnerException: { } cause } unavailable && manifest.Source is { } source)
        {
            // A refused download: the cause and the host in a few words, the URL once (Core's message repeats it in
            // its own sentence and its fix, six lines at 80 columns).
            var host = $" from {source.Url.Host}";
            CliConsole.Error.MarkupLineInterpolated($"Download{host} failed: {StorageErrors.Cause(cause)}.");
            // Whole: the sha256 is what the user checks the file against, the URL what they paste. Unwrapped (ProseConsole).
            var size = manifest.SizeBytes > 0 ? $", {manifest.SizeBytes} bytes" : "";
            CliConsole.Error.MarkupLineInterpolated($"Fix: download {source.Url}");
            CliConsole.Error.MarkupLineInterpolated($"and put it at {unavailable.Path} (sha256 {manifest.Sha256}{size}).");
        }
        else
        {
            CliConsole.Error.MarkupLineInterpolated($"{inner.Message}");
        }

        if (!manifest.LabelsAreMeaningless)
        {
            CliConsole.Error.MarkupLine("Or smoke-test with [bold]--model resnet50-generated[/] (seeded weights: labels mean nothing).");
        }
    }

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerException: { } inner }) ex = inner;
        return ex;
    }
}
