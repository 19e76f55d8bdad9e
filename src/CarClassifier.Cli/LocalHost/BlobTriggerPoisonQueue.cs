using CarClassifier.Core.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace CarClassifier.Cli.LocalHost;

/// <summary>
/// The WebJobs blob extension's poison queue: after the ingest trigger fails on every try (five), the extension moves the
/// blob's message here. The name is fixed inside Microsoft.Azure.WebJobs.Extensions.Storage.Blobs, the same for the
/// Functions host in Azure and the local WebJobs host, so it is host knowledge and lives here, not in Core.
/// </summary>
public static class BlobTriggerPoisonQueue
{
    public const string Name = "webjobs-blobtrigger-poison";

    /// <summary>Has <see cref="PoisonQueues"/> (poison list, replay and purge) read this queue too.</summary>
    public static IServiceCollection AddBlobTriggerPoisonQueue(this IServiceCollection services) =>
        services.Configure<PoisonQueueOptions>(options => options.BlobTriggerPoisonQueues.Add(Name));
}
