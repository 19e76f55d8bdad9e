using CarClassifier.Core.Models;
using Onnx;

namespace CarClassifier.Training.Backbone;

/// <summary>
/// A base model cut at its pooled features, ready for extraction and for export: the base manifest (whose
/// preprocessing recipe the features use), the features model on disk and in memory, and its width.
/// </summary>
public sealed class Backbone
{
    internal Backbone(ModelManifest baseManifest, string baseManifestPath, ModelManifest featuresManifest, string featuresPath, ModelProto featuresModel)
    {
        BaseManifest = baseManifest;
        BaseManifestPath = baseManifestPath;
        FeaturesManifest = featuresManifest;
        FeaturesPath = featuresPath;
        FeaturesModel = featuresModel;
    }

    public ModelManifest BaseManifest { get; }

    public string BaseManifestPath { get; }

    /// <summary>The base manifest with its output replaced by the features tensor [N, width].</summary>
    public ModelManifest FeaturesManifest { get; }

    public string FeaturesPath { get; }

    /// <summary>The features graph (dynamic batch); the exporter appends the head to a copy.</summary>
    public ModelProto FeaturesModel { get; }

    public int Width => checked((int)FeaturesManifest.Output.Shape[1]);
}
