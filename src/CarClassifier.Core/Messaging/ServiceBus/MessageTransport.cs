namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>Which queue carries the claim checks (<c>Classifier:Transport</c>); ingest, classifier, CLI and Bicep read the same setting.</summary>
public enum MessageTransport
{
    /// <summary>Azure Storage queue (the default; Azurite locally): one message per Functions invocation.</summary>
    StorageQueue,

    /// <summary>Azure Service Bus queue: batch receive, lock renewal, duplicate detection, dead-letter reasons.</summary>
    ServiceBus,
}
