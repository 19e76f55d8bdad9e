namespace CarClassifier.Core.Models;

/// <summary>The weights are not cached and could not be fetched; the message says how to provide them.</summary>
public sealed class ModelUnavailableException : Exception
{
    public ModelUnavailableException(string message, string path, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>Where the weights were expected: placing a file with the right sha256 here fixes the error.</summary>
    public string Path { get; }
}
