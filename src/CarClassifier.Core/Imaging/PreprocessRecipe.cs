using System.Text.Json.Serialization;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// How a model wants its pixels: the recipe a model declares in its manifest, defined once and
/// used by every decoder so that all of them produce the same tensor.
/// Defaults are the torchvision / ONNX model zoo ImageNet recipe used by ResNet-50.
/// </summary>
public sealed record PreprocessRecipe
{
    /// <summary>The image is scaled so that its shorter side has this many pixels (aspect kept).</summary>
    public int ResizeShorterSide { get; init; } = 256;

    /// <summary>Then a centred crop of this height is taken.</summary>
    public int CropHeight { get; init; } = 224;

    /// <summary>And of this width.</summary>
    public int CropWidth { get; init; } = 224;

    /// <summary>Pixel values (0..255) are multiplied by this before mean/std: 1/255 maps to 0..1.</summary>
    public float Scale { get; init; } = 1f / 255f;

    /// <summary>Per-channel mean, in <see cref="ChannelOrder"/> order, subtracted after scaling.</summary>
    public float[] Mean { get; init; } = [0.485f, 0.456f, 0.406f];

    /// <summary>Per-channel standard deviation, in <see cref="ChannelOrder"/> order, divided after the mean.</summary>
    public float[] Std { get; init; } = [0.229f, 0.224f, 0.225f];

    /// <summary>Order of the three colour channels in the tensor.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ChannelOrder>))]
    public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.Rgb;

    /// <summary>Tensor layout of one image: NCHW (planar) or NHWC (interleaved).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<TensorLayout>))]
    public TensorLayout Layout { get; init; } = TensorLayout.Nchw;

    /// <summary>Number of floats one preprocessed image occupies.</summary>
    [JsonIgnore]
    public int ImageTensorLength => 3 * CropHeight * CropWidth;

    /// <summary>Checks the recipe is usable; throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (ResizeShorterSide <= 0) throw new ArgumentException("resizeShorterSide must be positive.", nameof(ResizeShorterSide));
        if (CropHeight <= 0 || CropWidth <= 0) throw new ArgumentException("cropHeight and cropWidth must be positive.", nameof(CropHeight));
        if (CropHeight > ResizeShorterSide || CropWidth > ResizeShorterSide)
        {
            throw new ArgumentException("The crop must fit inside the resized shorter side.", nameof(CropHeight));
        }

        if (Mean is not { Length: 3 }) throw new ArgumentException("mean needs exactly 3 values.", nameof(Mean));
        if (Std is not { Length: 3 } || Std.Any(s => s <= 0)) throw new ArgumentException("std needs exactly 3 positive values.", nameof(Std));
    }
}
