namespace CarClassifier.Core.Imaging;

/// <summary>Order of colour channels in a model's input tensor.</summary>
public enum ChannelOrder
{
    Rgb,
    Bgr,
}
