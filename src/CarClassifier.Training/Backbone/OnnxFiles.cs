using Google.Protobuf;
using Onnx;

namespace CarClassifier.Training.Backbone;

/// <summary>Reads and writes ONNX models through OnnxSharp's generated protobuf classes (the maintained ONNX schema).</summary>
public static class OnnxFiles
{
    /// <summary>ONNX files may be larger than protobuf's default 64 MB message limit only through external data, which we do not use.</summary>
    public static ModelProto Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return ModelProto.Parser.ParseFrom(stream);
    }

    public static ModelProto Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return ModelProto.Parser.ParseFrom(bytes);
    }

    /// <summary>Serialised bytes; deterministic for the same message, so a sha256 over them can pin a derived model.</summary>
    public static byte[] ToBytes(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.ToByteArray();
    }
}
