using Onnx;

namespace CarClassifier.Training.Backbone;

/// <summary>
/// Finds a classifier's pooled features: the input of its last fully connected layer (a Gemm, or a MatMul with or
/// without a following Add). A model whose output is not produced by such a layer is taken to output features already
/// (as models/resnet18-imagenet-features does).
/// </summary>
public static class FeatureCut
{
    /// <summary>The features tensor name and width for a model whose declared output is <paramref name="outputName"/>.</summary>
    public static (string Name, long Width, bool IsCut) Find(ModelProto model, string outputName, long outputWidth)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var producer = GraphEdits.Producer(graph, outputName)
            ?? throw new InvalidDataException($"No node produces the model's output '{outputName}'.");
        if (producer.OpType == "Add")
        {
            var matMul = producer.Input.Select(i => GraphEdits.Producer(graph, i)).FirstOrDefault(n => n?.OpType == "MatMul");
            if (matMul is not null) producer = matMul;
        }

        if (producer.OpType is not ("Gemm" or "MatMul")) return (outputName, outputWidth, false);

        var weights = GraphEdits.Initializer(graph, producer.Input[1])
            ?? throw new InvalidDataException($"The final {producer.OpType} '{producer.Name}' has no constant weights; name a features output instead.");
        var transB = producer.OpType == "Gemm" && producer.Attribute.Any(a => a.Name == "transB" && a.I == 1);
        var width = transB ? weights.Dims[1] : weights.Dims[0];
        return (producer.Input[0], width, true);
    }

    /// <summary>Rewrites <paramref name="model"/> in place so that its only output is the features tensor [N, width].</summary>
    public static void Apply(ModelProto model, string featuresName, long width)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        graph.Output.Clear();
        graph.Output.Add(GraphEdits.FloatTensor(featuresName, -1, width));
        GraphEdits.Prune(graph);
    }
}
