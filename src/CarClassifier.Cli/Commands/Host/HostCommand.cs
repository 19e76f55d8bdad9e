using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Host;

/// <summary>Runs the pipeline's triggers until Ctrl+C: the local equivalent of <c>func start</c>.</summary>
public sealed class HostCommand : AsyncCommand<HostSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, HostSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.NoRestart && !HostSupervisor.IsChild)
        {
            return await HostSupervisor.RunAsync(cancellationToken).ConfigureAwait(false);
        }

        var manifestPath = ModelLocator.ResolveManifest(settings.Model);
        using var host = LocalHostBuilder.Build(
            new Dictionary<string, string?>
            {
                [PipelineNames.StorageConnection] = settings.ResolveConnection(),
                ["Classifier:ModelManifest"] = manifestPath,
                [LocalHostBuilder.TelemetryExporterSetting] = settings.Telemetry,
            },
            logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ModelErrors.IsModelProblem(ex))
        {
            ModelErrors.Explain(ex, await Core.Models.ModelManifest.LoadAsync(manifestPath, cancellationToken).ConfigureAwait(false));
            return ExitCodes.ModelUnavailable;
        }

        AnsiConsole.MarkupLineInterpolated($"Listening on container [bold]{PipelineNames.ImagesContainer}[/] and queue [bold]{PipelineNames.WorkQueue}[/]. Ctrl+C to stop.");
        await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
