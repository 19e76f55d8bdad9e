using CarClassifier.Training.Backbone;
using CarClassifier.Training.Head;
using Onnx;

namespace CarClassifier.Training.Export;

/// <summary>
/// Appends the head to the features graph, giving one self-contained ONNX model any runtime can load:
/// features -> Sub(mean) -> Div(std) -> Gemm(W, b) -> Softmax -> <see cref="OutputName"/> [N, classes], batch dynamic.
/// The standardisation stays explicit (not folded into W) so the graph computes exactly what the in-process head does.
/// </summary>
public static class HeadExporter
{
    public const string OutputName = "probabilities";

    public static ModelProto Export(Backbone.Backbone backbone, SoftmaxHead head, string docString)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(head);
        if (head.Width != backbone.Width) throw new ArgumentException($"The head expects {head.Width} features; the backbone gives {backbone.Width}.", nameof(head));
        var model = backbone.FeaturesModel.Clone();
        var graph = model.Graph;
        var features = backbone.FeaturesManifest.Output.Name;

        graph.Initializer.Add(GraphEdits.FloatInitializer("head_mean", head.Standardizer.Mean, head.Width));
        graph.Initializer.Add(GraphEdits.FloatInitializer("head_std", head.Standardizer.Std, head.Width));
        graph.Initializer.Add(GraphEdits.FloatInitializer("head_weights", head.Weights, head.Classes, head.Width));
        graph.Initializer.Add(GraphEdits.FloatInitializer("head_bias", head.Bias, head.Classes));
        graph.Node.Add(GraphEdits.Node("Sub", "head_center", [features, "head_mean"], ["head_centered"]));
        graph.Node.Add(GraphEdits.Node("Div", "head_scale", ["head_centered", "head_std"], ["head_standardized"]));
        graph.Node.Add(GraphEdits.Node("Gemm", "head_linear", ["head_standardized", "head_weights", "head_bias"], ["head_logits"], GraphEdits.IntAttribute("transB", 1)));
        graph.Node.Add(GraphEdits.Node("Softmax", "head_softmax", ["head_logits"], [OutputName], GraphEdits.IntAttribute("axis", 1)));
        graph.Output.Clear();
        graph.Output.Add(GraphEdits.FloatTensor(OutputName, -1, head.Classes));
        graph.ValueInfo.Clear();
        model.ProducerName = "CarClassifier.Training";
        model.ProducerVersion = "carclass train";
        model.DocString = docString ?? string.Empty;
        return model;
    }
}
