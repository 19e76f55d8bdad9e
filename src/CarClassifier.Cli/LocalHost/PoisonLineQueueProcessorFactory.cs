using System.Collections.Concurrent;
using Azure.Storage.Queues.Models;
using CarClassifier.Core.Messaging;
using Microsoft.Azure.WebJobs.Host.Executors;
using Microsoft.Azure.WebJobs.Host.Queues;
using Microsoft.Extensions.Logging;

namespace CarClassifier.Cli.LocalHost;

/// <summary>
/// The local host's queue processors, which say in one line which message went to the poison queue and why: the
/// WebJobs default says only "Message has reached MaxDequeueCount of 5. Moving message to queue '…'", naming neither
/// the message nor its blob, while the invocation's 5 KB stack trace was logged twice beside it (issue 16). The
/// message is moved exactly as the default does it (the base class); the default's line is filtered out where this
/// one is shown (<see cref="Output.CliLog.UseFor"/>).
/// </summary>
internal sealed class PoisonLineQueueProcessorFactory(ILoggerFactory loggers) : IQueueProcessorFactory
{
    /// <summary>The log category of the line (its last segment is what the console shows).</summary>
    public const string Category = "CarClassifier.Poison";

    /// <summary>The longest reason and blob name the line carries: a body can be 64 KiB, and some errors quote it.</summary>
    internal const int ReasonLimit = 90, NameLimit = 60;

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public QueueProcessor Create(QueueProcessorOptions context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Processor(context, _logger);
    }

    /// <summary>One line of at most ~250 characters: message id, its blob, the poison queue, the deliveries and the last error.</summary>
    internal static string Describe(string messageId, string body, long deliveries, string poisonQueue, Exception? error)
    {
        string what;
        try
        {
            var request = ClassifyRequest.Parse(body);
            what = $"{request.Container}/{request.BlobName}";
        }
        catch (InvalidDataException)
        {
            what = "not a classify request";
        }

        var cause = error;
        while (cause?.InnerException is not null && cause is Microsoft.Azure.WebJobs.Host.FunctionInvocationException or AggregateException) cause = cause.InnerException;
        var reason = OneLine(cause?.Message ?? "no error recorded");
        if (reason.Length > ReasonLimit) reason = reason[..(ReasonLimit - 1)] + "…";
        what = OneLine(what);
        if (what.Length > NameLimit) what = "…" + what[^(NameLimit - 1)..];
        return $"Message {messageId} ({what}) moved to {poisonQueue} after {deliveries} deliveries: {reason}";
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));

    private sealed class Processor(QueueProcessorOptions options, ILogger logger) : QueueProcessor(options)
    {
        private readonly ConcurrentDictionary<string, Exception?> _lastErrors = new(StringComparer.Ordinal);
        private readonly string _poisonQueue = options.PoisonQueue?.Name ?? "the poison queue";

        protected override Task CompleteProcessingMessageAsync(QueueMessage message, FunctionResult result, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(message);
            ArgumentNullException.ThrowIfNull(result);
            if (!result.Succeeded) _lastErrors[message.MessageId] = result.Exception;
            return base.CompleteProcessingMessageAsync(message, result, cancellationToken);
        }

        protected override async Task ReleaseMessageAsync(QueueMessage message, FunctionResult result, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
        {
            // Not poisoned (yet): released for its next delivery.
            ArgumentNullException.ThrowIfNull(message);
            _lastErrors.TryRemove(message.MessageId, out _);
            await base.ReleaseMessageAsync(message, result, visibilityTimeout, cancellationToken).ConfigureAwait(false);
        }

        protected override async Task CopyMessageToPoisonQueueAsync(QueueMessage message, Azure.Storage.Queues.QueueClient poisonQueue, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(message);
            await base.CopyMessageToPoisonQueueAsync(message, poisonQueue, cancellationToken).ConfigureAwait(false);
            _lastErrors.TryRemove(message.MessageId, out var error);
            logger.LogWarning("{Line}", Describe(message.MessageId, message.Body?.ToString() ?? "", message.DequeueCount, poisonQueue?.Name ?? _poisonQueue, error));
        }
    }
}
