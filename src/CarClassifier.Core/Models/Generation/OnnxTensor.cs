namespace CarClassifier.Core.Models.Generation;

/// <summary>An ONNX TensorProto of float32 values, stored as little-endian raw_data (an initializer).</summary>
public sealed class OnnxTensor : OnnxMessage
{
    // onnx.proto TensorProto field numbers.
    private const int DimsField = 1;
    private const int DataTypeField = 2;
    private const int NameField = 8;
    private const int RawDataField = 9;

    /// <summary>TensorProto.DataType.FLOAT.</summary>
    internal const int FloatDataType = 1;

    public OnnxTensor(string name, IReadOnlyList<long> dims, float[] data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(data);
        long count = 1;
        foreach (var dim in dims)
        {
            if (dim < 0) throw new ArgumentException("Initializer dimensions must be non-negative.", nameof(dims));
            count *= dim;
        }

        if (count != data.Length)
        {
            throw new ArgumentException($"Tensor '{name}' has {data.Length} values but its shape holds {count}.", nameof(data));
        }

        Name = name;
        Dims = [.. dims];
        Data = data;
    }

    public string Name { get; }

    public IReadOnlyList<long> Dims { get; }

    public float[] Data { get; }

    internal override int ComputeSize() =>
        ProtoWriter.RepeatedInt64FieldSize(DimsField, Dims)
        + ProtoWriter.VarintFieldSize(DataTypeField, FloatDataType)
        + ProtoWriter.StringFieldSize(NameField, Name)
        + ProtoWriter.LengthDelimitedFieldSize(RawDataField, checked(Data.Length * sizeof(float)));

    internal override void WriteTo(ProtoWriter writer)
    {
        writer.WriteRepeatedInt64Field(DimsField, Dims);
        writer.WriteVarintField(DataTypeField, FloatDataType);
        writer.WriteStringField(NameField, Name);
        writer.WriteFloatsAsBytesField(RawDataField, Data);
    }
}
