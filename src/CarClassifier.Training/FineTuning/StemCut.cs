using CarClassifier.Core.Models;
using CarClassifier.Training.Backbone;
using Onnx;
using static TorchSharp.torch;

namespace CarClassifier.Training.FineTuning;

/// <summary>
/// Where fine-tuning starts: the input of the network's last stride-2 convolution, i.e. the last ResNet stage (layer4)
/// and everything after it are trained, everything below is run once per photo by ONNX Runtime through the serving
/// path and its activations cached. The stem is the features graph cut there, flattened to [N, C*H*W] so the existing
/// batch runner and feature cache hold it (the cache key includes that width, so it never mixes with pooled features).
/// </summary>
public static class StemCut
{
    public const string StemOutput = "stem_activations";

    /// <summary>The tensor feeding the last convolution with a stride above 1.</summary>
    public static string Find(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var strided = graph.Node.LastOrDefault(n => n.OpType == "Conv" && n.Attribute.Any(a => a.Name == "strides" && a.Ints.Any(s => s > 1)))
            ?? throw new InvalidDataException("The base has no strided convolution to start fine-tuning at; use --frozen.");
        return strided.Input[0];
    }

    /// <summary>The activation shape [C, H, W] at <paramref name="cut"/> for the manifest's input size (a dry run in TorchSharp).</summary>
    public static long[] ActivationShape(Backbone.Backbone backbone, string cut)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var stem = new OnnxSegment(backbone.FeaturesModel.Graph, backbone.FeaturesManifest.Input.Name, cut, trainable: false);
        var input = backbone.FeaturesManifest.Input.Shape.Skip(1).ToArray();
        return stem.Forward(zeros([1, .. input])).shape[1..];
    }

    /// <summary>A backbone whose "features" are the flattened activations at <paramref name="cut"/>; its ONNX file is written to the model cache once.</summary>
    public static async Task<Backbone.Backbone> StemAsync(Backbone.Backbone backbone, string cut, long[] shape, string cacheDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(shape);
        var width = shape.Aggregate(1L, (a, b) => a * b);
        var model = backbone.FeaturesModel.Clone();
        var graph = model.Graph;
        graph.Node.Add(GraphEdits.Node("Flatten", "flatten_stem", [cut], [StemOutput], GraphEdits.IntAttribute("axis", 1)));
        graph.Output.Clear();
        graph.Output.Add(GraphEdits.FloatTensor(StemOutput, -1, width));
        graph.ValueInfo.Clear();
        GraphEdits.Prune(graph);
        var safe = new string([.. cut.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        var path = Path.Combine(cacheDirectory, $"{Path.GetFileNameWithoutExtension(backbone.BaseManifest.File)}.{backbone.BaseManifest.Sha256[..12]}.stem-{safe}.onnx");
        if (!File.Exists(path)) await BackboneLoader.WriteAtomicallyAsync(path, OnnxFiles.ToBytes(model), cancellationToken).ConfigureAwait(false);
        var manifest = backbone.FeaturesManifest with { Output = new TensorSpec { Name = StemOutput, Shape = [-1, width], Kind = OutputKind.Logits } };
        return new Backbone.Backbone(backbone.BaseManifest, backbone.BaseManifestPath, manifest, path, model);
    }

    /// <summary>The features graph with the fine-tuned values in place of the initializers of the same names.</summary>
    public static ModelProto WithWeights(ModelProto featuresModel, IReadOnlyDictionary<string, float[]> weights)
    {
        ArgumentNullException.ThrowIfNull(featuresModel);
        ArgumentNullException.ThrowIfNull(weights);
        var model = featuresModel.Clone();
        var graph = model.Graph;
        foreach (var (name, values) in weights)
        {
            var old = GraphEdits.Initializer(graph, name) ?? throw new InvalidDataException($"The base has no initializer '{name}'.");
            if (old.Dims.Aggregate(1L, (a, b) => a * b) != values.Length) throw new InvalidDataException($"'{name}' has {values.Length} values for dims [{string.Join(',', old.Dims)}].");
            graph.Initializer[graph.Initializer.IndexOf(old)] = GraphEdits.FloatInitializer(name, values, [.. old.Dims]);
        }

        return model;
    }
}
