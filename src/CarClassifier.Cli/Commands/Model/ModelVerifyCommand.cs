using CarClassifier.Cli.Output;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Model;

/// <summary><c>carclass model verify</c>: checks the cached weights against the manifest's sha256. Exit: 0 verified, 2 bad model name, 3 missing or corrupt.</summary>
public sealed class ModelVerifyCommand : AsyncCommand<ModelSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ModelSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (_, manifest, exit) = await ModelLocator.LoadAsync(settings.Model, cancellationToken).ConfigureAwait(false);
        if (manifest is null) return exit;
        var path = new ModelStore(settings.Cache).GetModelPath(manifest);
        if (!File.Exists(path))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Missing:[/] {path}. Run 'carclass model {(manifest.Generator is not null ? "generate" : "download")} {manifest.Name}'.");
            return ExitCodes.ModelUnavailable;
        }

        var actual = await CliConsole.Status().StartAsync($"Hashing {Path.GetFileName(path)}...", _ => ModelStore.ComputeSha256Async(path, null, cancellationToken)).ConfigureAwait(false);
        if (actual != manifest.Sha256)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Corrupt:[/] {path} has sha256 {actual}, the manifest expects {manifest.Sha256}. Delete it and fetch it again.");
            return ExitCodes.ModelUnavailable;
        }

        AnsiConsole.MarkupLineInterpolated($"[green]OK[/] {path} matches sha256 {manifest.Sha256}.");
        return ExitCodes.Success;
    }
}
