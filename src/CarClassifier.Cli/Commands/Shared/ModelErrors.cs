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
        AnsiConsole.MarkupLineInterpolated($"[red bold]Model {manifest.Name} is not available.[/]");
        AnsiConsole.MarkupLineInterpolated($"{inner.Message}");
        if (!manifest.LabelsAreMeaningless)
        {
            AnsiConsole.MarkupLine(
                "To smoke-test the pipeline without the real weights, run with [bold]--model resnet50-generated[/] " +
                "(real ResNet-50 architecture, seeded weights: labels mean nothing).");
        }
    }

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerException: { } inner }) ex = inner;
        return ex;
    }
}
