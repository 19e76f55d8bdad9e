using CarClassifier.Core.Batching;
using CarClassifier.Core.Models;

namespace CarClassifier.Core.Inference;

/// <summary>A model ready to serve: its manifest, labels, session and the batcher in front of it.</summary>
public sealed class LoadedModel : IAsyncDisposable
{
    internal LoadedModel(ModelManifest manifest, string modelPath, IReadOnlyList<string> labels, ModelSession session, InferenceBatcher batcher)
    {
        Manifest = manifest;
        ModelPath = modelPath;
        Labels = labels;
        Session = session;
        Batcher = batcher;
    }

    public ModelManifest Manifest { get; }

    public string ModelPath { get; }

    public IReadOnlyList<string> Labels { get; }

    public ModelSession Session { get; }

    public InferenceBatcher Batcher { get; }

    public async ValueTask DisposeAsync()
    {
        // Batcher first: it must stop calling the session before the session goes away.
        await Batcher.DisposeAsync().ConfigureAwait(false);
        Session.Dispose();
    }
}
