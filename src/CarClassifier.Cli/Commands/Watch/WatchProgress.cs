namespace CarClassifier.Cli.Commands.Watch;

/// <summary>One poll of <c>watch</c>: how many blobs are uploaded under the prefix and how many have a current row; on Service Bus, its dead letters too.</summary>
internal sealed record WatchProgress(int Uploaded, int Classified, int Failed, int? QueueLength, int? DeadLettered = null)
{
    public int Done => Classified + Failed;

    public bool Complete => Uploaded > 0 && Done >= Uploaded;
}
