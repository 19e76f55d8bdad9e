using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Cli.Output;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Host;

/// <summary>Runs the pipeline's triggers until Ctrl+C: the local equivalent of <c>func start</c>.</summary>
public sealed class HostCommand(StorageClientFactory storage) : AsyncCommand<HostSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, HostSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.NoRestart && !HostSupervisor.IsChild)
        {
            return await HostSupervisor.RunAsync(cancellationToken).ConfigureAwait(false);
        }

        // A missing or invalid manifest is permanent: one line and exit 3, which the supervisor does not restart.
        var (manifestPath, manifest, exit) = await ModelLocator.LoadAsync(settings.Model, cancellationToken).ConfigureAwait(false);
        if (manifest is null) return exit;
        ModelBanner.WarnIfMeaningless(manifest);
        if (await OtherHosts.ConflictAsync(storage, manifest, cancellationToken).ConfigureAwait(false)) return ExitCodes.OtherModelRunning;
        using var host = LocalHostBuilder.Build(
            new Dictionary<string, string?>(settings.ConnectionSettings())
            {
                ["Classifier:ModelManifest"] = manifestPath,
                [LocalHostBuilder.TelemetryExporterSetting] = settings.Telemetry,
            },
            logging => CliLog.UseFor(logging, quietHosting: false),
            HostHeartbeat.Register);
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ModelErrors.IsModelProblem(ex))
        {
            ModelErrors.Explain(ex, manifest);
            return ExitCodes.ModelUnavailable;
        }

        var queue = host.Services.GetService<ServiceBusClassifierWorker>() is null ? "queue" : "Service Bus queue";
        AnsiConsole.MarkupLineInterpolated($"Listening on container [bold]{PipelineNames.ImagesContainer}[/] and {queue} [bold]{PipelineNames.WorkQueue}[/]. Ctrl+C to stop.");
        await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
