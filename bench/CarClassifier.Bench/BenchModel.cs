using CarClassifier.Core.Configuration;
using CarClassifier.Core.Inference;
using CarClassifier.Core.Models;
using CarClassifier.ModelGeneration;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace CarClassifier.Bench;

/// <summary>The benchmark model: its manifest, verified (or generated) weights and labels, and session factory.</summary>
internal sealed class BenchModel
{
    private BenchModel(string manifestPath, ModelManifest manifest, string modelPath, IReadOnlyList<string> labels)
    {
        ManifestPath = manifestPath;
        Manifest = manifest;
        ModelPath = modelPath;
        Labels = labels;
    }

    public string ManifestPath { get; }

    public ModelManifest Manifest { get; }

    public string ModelPath { get; }

    public IReadOnlyList<string> Labels { get; }

    public static async Task<BenchModel> LoadAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var manifestPath = RepoPaths.Resolve(settings.ModelManifest);
        var manifest = await ModelManifest.LoadAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        var store = new ModelStore(RepoPaths.Resolve(settings.ModelCache), generator: OnnxWeightsGenerator.Instance);
        var modelPath = await store.EnsureModelAsync(manifest, new ModelEnsureOptions { AllowDownload = true, AllowGenerate = true }, null, cancellationToken)
            .ConfigureAwait(false);
        var labels = await ModelStore.LoadLabelsAsync(manifestPath, manifest, cancellationToken).ConfigureAwait(false);
        return new BenchModel(manifestPath, manifest, modelPath, labels);
    }

    /// <summary>The production options, with the provider the command line asked for.</summary>
    public static ClassifierOptions ProductionOptions(BenchSettings settings) => new()
    {
        ExecutionProvider = settings.Provider == "cuda" ? ExecutionProvider.Cuda : ExecutionProvider.Cpu,
    };

    /// <summary>The provider the sessions actually ran on (CUDA falls back to CPU when its libraries are missing); null before the first.</summary>
    public ExecutionProvider? ProviderUsed { get; private set; }

    public ModelSession CreateSession(ClassifierOptions options, ILoggerFactory loggers, Action<SessionOptions>? configure = null)
    {
        var session = new ModelSession(ModelPath, Manifest, options, loggers.CreateLogger<ModelSession>(), configure);
        ProviderUsed = session.ExecutionProvider;
        return session;
    }
}
