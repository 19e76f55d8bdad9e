namespace CarClassifier.Training.Pipeline;

/// <summary>
/// Reports on the calling thread, unlike <see cref="Progress{T}"/> (which posts): epoch lines arrive in order and before
/// the next epoch starts, and a Ctrl+C issued from a report is seen by the very next batch.
/// </summary>
internal sealed class RelayProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
