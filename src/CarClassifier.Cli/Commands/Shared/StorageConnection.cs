using CarClassifier.Cli.Output;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>Checks that the storage the command's clients point at answers, and explains in one line when it does not.</summary>
public sealed class StorageConnection(StorageClientFactory storage)
{
    /// <summary>How long a storage that answers with errors or not at all is retried before the command gives up.</summary>
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Checks storage answers (with a connection string, creating the container, queues and table if missing); false when
    /// unreachable, after one line naming the endpoint and the cause. A refused connection or an unknown host fails at
    /// once: retrying it only makes the user wait. A storage that is slow or answers 5xx is retried, with a spinner on a
    /// terminal, for up to <see cref="Patience"/>.
    /// </summary>
    public async Task<bool> OpenAsync(CancellationToken cancellationToken)
    {
        // One try per probe, so a dead endpoint is reported in milliseconds, not after the SDK's six retries.
        var probe = storage.CreateBlobServiceClient(o =>
        {
            o.Retry.MaxRetries = 0;
            o.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        });
        var endpoint = probe.Uri;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Patience);
            await ProbeAsync(probe.GetBlobContainerClient(PipelineNames.ImagesContainer), endpoint, deadline.Token, cancellationToken).ConfigureAwait(false);

            // Identity-based connections (Azure): the resources come from Bicep and the identity has data roles only.
            if (storage.Credential is null) await StorageBootstrapper.EnsureAsync(storage, deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (StorageErrors.IsStorageProblem(ex) || ex is OperationCanceledException))
        {
            Explain(ex, endpoint);
            return false;
        }
    }

    private static async Task ProbeAsync(Azure.Storage.Blobs.BlobContainerClient container, Uri endpoint, CancellationToken deadline, CancellationToken cancellationToken)
    {
        Exception? last = null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await container.ExistsAsync(deadline).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (StorageErrors.IsFinal(ex) || deadline.IsCancellationRequested)
            {
                throw last is not null && ex is OperationCanceledException && !cancellationToken.IsCancellationRequested ? new TimeoutException(last.Message, last) : ex;
            }
            catch (Exception ex) when (StorageErrors.IsStorageProblem(ex) || ex is OperationCanceledException or TimeoutException)
            {
                last = ex;
            }

            var wait = TimeSpan.FromMilliseconds(Math.Min(2000, 250 << Math.Min(attempt, 3)));
            var status = $"Storage at {endpoint.Host}:{endpoint.Port} does not answer ({StorageErrors.Cause(last)}); retrying...";

            // Spectre shows the spinner only on an interactive terminal; redirected output gets nothing, not a line per try.
            await CliConsole.Status().StartAsync(Markup.Escape(status), _ => Task.Delay(wait, deadline)).ConfigureAwait(false);
        }
    }

    /// <summary>One line: where, why, and what to do.</summary>
    public static void Explain(Exception ex, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(ex);
        ArgumentNullException.ThrowIfNull(endpoint);
        CliConsole.Error.MarkupLineInterpolated($"[red]Storage is not reachable:[/] {StorageErrors.Describe(ex, endpoint)}. {StorageErrors.Hint(ex)}");
    }

    /// <summary>The blob endpoint this command talks to (what <see cref="Explain"/> names when a later call fails).</summary>
    public Uri Endpoint => storage.CreateBlobServiceClient().Uri;
}
