using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Models;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Model;

/// <summary><c>carclass model download</c>. Exit: 0 ready, 2 bad model name or nothing to download, 3 the weights could not be fetched or verified.</summary>
public sealed class ModelDownloadCommand : AsyncCommand<ModelSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ModelSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (_, manifest, exit) = await ModelLocator.LoadAsync(settings.Model, cancellationToken).ConfigureAwait(false);
        if (manifest is null) return exit;
        return await ModelFetch.FetchAsync(new ModelStore(settings.Cache), manifest, download: true, cancellationToken).ConfigureAwait(false);
    }
}
