namespace CarClassifier.Core.Imaging;

/// <summary>Memory layout of a batch of images.</summary>
public enum TensorLayout
{
    /// <summary>Batch, channel, height, width (planar): what ResNet-50 ONNX models take.</summary>
    Nchw,

    /// <summary>Batch, height, width, channel (interleaved).</summary>
    Nhwc,
}
