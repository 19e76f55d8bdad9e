using CarClassifier.Core.Imaging;

namespace CarClassifier.ModelGeneration;

/// <summary>
/// A tiny classifier whose right answers are known: it predicts the prototype colour nearest to an
/// image's mean normalised colour. It takes the same [N,3,H,W] input and preprocessing recipe as
/// ResNet-50, so end-to-end tests exercise the real pipeline and can assert on the label.
/// </summary>
public static class ColorModelGenerator
{
    public const string InputName = "data";

    public const string OutputName = "logits";

    /// <summary>Part of the file's bytes: bump it whenever the recipe below changes the output.</summary>
    public const string RecipeVersion = "color/1";

    /// <summary>
    /// Logit scale. Pure prototypes are at least ~19 apart (squared, in normalised space), so at 0.5
    /// the right class of a pure colour gets a probability above 0.999, while mixed colours still
    /// give graded scores.
    /// </summary>
    public const float Temperature = 0.5f;

    /// <summary>The classes in output order; labels.txt must list the same names in this order.</summary>
    public static IReadOnlyList<ColorPrototype> Classes { get; } =
    [
        new("red", 255, 0, 0),
        new("green", 0, 255, 0),
        new("blue", 0, 0, 255),
        new("yellow", 255, 255, 0),
        new("cyan", 0, 255, 255),
        new("magenta", 255, 0, 255),
        new("white", 255, 255, 255),
        new("black", 0, 0, 0),
    ];

    /// <summary>
    /// GlobalAveragePool -> Flatten -> Gemm(3 -> K) with logits_k = T * (2 c_k.x - |c_k|^2), where x is the
    /// mean normalised pixel and c_k prototype k normalised by <paramref name="recipe"/>. That is
    /// -T * |x - c_k|^2 plus a term equal for every class, so the argmax is the nearest prototype.
    /// </summary>
    public static OnnxModel Build(PreprocessRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        recipe.Validate();
        if (recipe.Layout != TensorLayout.Nchw)
        {
            // GlobalAveragePool pools over the trailing axes, which only holds for planar tensors.
            throw new NotSupportedException("The colour model is generated for NCHW input only.");
        }

        var classCount = Classes.Count;
        var weight = new float[classCount * 3];
        var bias = new float[classCount];
        for (var k = 0; k < classCount; k++)
        {
            var prototype = Normalise(Classes[k], recipe);
            var squaredNorm = 0.0;
            for (var c = 0; c < 3; c++)
            {
                weight[(k * 3) + c] = (float)(2.0 * Temperature * prototype[c]);
                squaredNorm += prototype[c] * prototype[c];
            }

            bias[k] = (float)(-Temperature * squaredNorm);
        }

        var graph = new OnnxGraph("color_tiny");
        graph.Inputs.Add(new OnnxValueInfo(InputName, [-1, 3, recipe.CropHeight, recipe.CropWidth]));
        graph.Initializers.Add(new OnnxTensor("color_weight", [classCount, 3], weight));
        graph.Initializers.Add(new OnnxTensor("color_bias", [classCount], bias));
        graph.Nodes.Add(new OnnxNode("GlobalAveragePool", "pool", [InputName], ["pooled"]));
        graph.Nodes.Add(new OnnxNode("Flatten", "flatten", ["pooled"], ["mean_colour"], OnnxAttribute.Int("axis", 1)));
        graph.Nodes.Add(new OnnxNode("Gemm", "score", ["mean_colour", "color_weight", "color_bias"], [OutputName], OnnxAttribute.Int("transB", 1)));
        graph.Outputs.Add(new OnnxValueInfo(OutputName, [-1, classCount]));
        return new OnnxModel(graph, RecipeVersion);
    }

    /// <summary>The prototype as the model sees it: scaled, mean/std normalised, in the tensor's channel order.</summary>
    public static double[] Normalise(ColorPrototype prototype, PreprocessRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(prototype);
        ArgumentNullException.ThrowIfNull(recipe);
        byte[] rgb = [prototype.Red, prototype.Green, prototype.Blue];
        var result = new double[3];
        for (var c = 0; c < 3; c++)
        {
            var value = recipe.ChannelOrder == ChannelOrder.Rgb ? rgb[c] : rgb[2 - c];
            result[c] = ((value * (double)recipe.Scale) - recipe.Mean[c]) / recipe.Std[c];
        }

        return result;
    }
}
