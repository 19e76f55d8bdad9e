namespace CarClassifier.Core.Models;

/// <summary>Model bytes whose sha256 differs from the manifest's: corrupt, truncated or a different model.</summary>
public sealed class ModelIntegrityException : Exception
{
    public ModelIntegrityException(string message, string path, string expectedSha256, string actualSha256)
        : base(message)
    {
        Path = path;
        ExpectedSha256 = expectedSha256;
        ActualSha256 = actualSha256;
    }

    /// <summary>The file (or, for a download or generation that was discarded, the file it was meant to become).</summary>
    public string Path { get; }

    public string ExpectedSha256 { get; }

    public string ActualSha256 { get; }
}
