using System.Reflection;
using Onnx;

namespace CarClassifier.Training.Backbone;

/// <summary>
/// The ImageNet ResNet-18 shipped (MIT) in NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1, exported from
/// CNTK at opset 8: input <c>Input247</c> [1,3,224,224] BGR 0..255 minus a mean image, output <c>Pooling395_Output_0</c>
/// [1,512,1,1]. Its preprocessing lives in a second graph, ResNetPreprocess.onnx: split RGB, concat as BGR, subtract
/// a 3x224x224 mean image. <see cref="Transform"/> makes one features model of the two: BGR order is declared in the
/// manifest (our decoders write it), the mean image is folded into the graph, the batch becomes dynamic and the
/// pooled features are flattened to [N,512].
/// </summary>
public static class ResNet18Package
{
    public const string TransformName = "cntk-resnet18-features";
    public const string PreprocessPath = "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx";
    public const string PreprocessSha256 = "84bf8def78d0befaa3f6e73745d57d7016c6a192ead76f79686bd438c1047004";

    private const string BackboneInput = "Input247";
    private const string BackboneOutput = "Pooling395_Output_0";
    private const string MeanImageName = "MeanImage";

    /// <summary>
    /// Where NuGet put the package: $NUGET_PACKAGES if set, else the packages root this assembly was built against
    /// (the build records it), else ~/.nuget/packages.
    /// </summary>
    public static string PackageFolder(string id, string version)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(version);
        var candidates = new List<string>();
        var env = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrWhiteSpace(env)) candidates.Add(env);
        var built = typeof(ResNet18Package).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value;
        if (!string.IsNullOrWhiteSpace(built)) candidates.Add(built);
        candidates.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"));
        foreach (var root in candidates)
        {
            var folder = Path.Combine(root, id.ToLowerInvariant(), version.ToLowerInvariant());
            if (Directory.Exists(folder)) return folder;
        }

        throw new FileNotFoundException(
            $"NuGet package {id} {version} is not restored (looked in: {string.Join(", ", candidates)}). " +
            "Run `dotnet restore` (scripts/test.sh and scripts/run.sh do) on a machine that can reach nuget.org.");
    }

    /// <summary>Builds the features model from the packaged backbone and preprocessing graphs.</summary>
    public static ModelProto Transform(ModelProto backbone, ModelProto preprocess)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(preprocess);
        var graph = backbone.Graph;
        var meanImage = GraphEdits.Initializer(preprocess.Graph, MeanImageName)
            ?? throw new InvalidDataException("ResNetPreprocess.onnx has no MeanImage initializer.");
        if (graph.Input.All(i => i.Name != BackboneInput) || GraphEdits.Producer(graph, BackboneOutput) is null)
        {
            throw new InvalidDataException($"The packaged ResNet-18 does not have input {BackboneInput} and output {BackboneOutput}.");
        }

        // data (BGR, 0..255, written by our decoders) - MeanImage = what CNTK's Input247 expects.
        var mean = meanImage.Clone();
        graph.Initializer.Add(mean);
        graph.Node.Insert(0, GraphEdits.Node("Sub", "subtract_mean_image", ["data", MeanImageName], [BackboneInput]));
        graph.Node.Add(GraphEdits.Node("Flatten", "flatten_features", [BackboneOutput], ["features"], GraphEdits.IntAttribute("axis", 1)));

        graph.Input.Clear();
        graph.Input.Add(GraphEdits.FloatTensor("data", -1, 3, 224, 224));
        graph.Output.Clear();
        graph.Output.Add(GraphEdits.FloatTensor("features", -1, 512));
        GraphEdits.Prune(graph);
        backbone.ProducerName = "CarClassifier.Training";
        backbone.ProducerVersion = TransformName;
        backbone.DocString = "ImageNet ResNet-18 from Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (MIT), mean image folded in, dynamic batch, pooled features.";
        return backbone;
    }
}
