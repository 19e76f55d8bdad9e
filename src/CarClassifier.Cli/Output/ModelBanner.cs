using CarClassifier.Core.Models;
using Spectre.Console;

namespace CarClassifier.Cli.Output;

/// <summary>The yellow box <c>run</c> and <c>host</c> show before classifying with a model whose labels mean nothing.</summary>
internal static class ModelBanner
{
    public static void WarnIfMeaningless(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (!manifest.LabelsAreMeaningless) return;
        AnsiConsole.Write(new Panel(
                new Markup($"[bold]{Markup.Escape(manifest.Name)}[/] has [bold]seeded random weights[/]: its labels MEAN NOTHING.\nUse it to smoke-test the pipeline and to benchmark, never to classify cars."))
            .Header("[yellow bold] WARNING [/]").BorderColor(Color.Yellow));
    }
}
