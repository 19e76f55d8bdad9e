namespace CarClassifier.Core.Messaging;

/// <summary>One message in a poison queue, as <c>carclass poison list</c> shows it.</summary>
/// <param name="Queue">The poison queue it sits in.</param>
/// <param name="MessageId">Queue message id (what <c>poison replay --id</c> takes).</param>
/// <param name="DequeueCount">Deliveries so far in the poison queue (listing peeks: it does not count).</param>
/// <param name="InsertedOn">When it was moved to the poison queue.</param>
/// <param name="BlobPath">The blob it is about, when the body could be read.</param>
/// <param name="Body">The message text.</param>
/// <param name="Reason">Why it was poisoned, where the queue keeps it (a Service Bus dead letter's reason and description).</param>
public sealed record PoisonMessage(string Queue, string MessageId, long DequeueCount, DateTimeOffset? InsertedOn, string? BlobPath, string Body, string? Reason = null);
