namespace CarClassifier.ModelGeneration;

/// <summary>
/// An ONNX TensorProto of float32 values (an initializer), stored as little-endian raw_data in float32, or in
/// float16 when built with <see cref="Float16"/> (the fp16 model variant: half the bytes, Tensor Core friendly).
/// </summary>
public sealed class OnnxTensor : OnnxMessage
{
    // onnx.proto TensorProto field numbers.
    private const int DimsField = 1;
    private const int DataTypeField = 2;
    private const int NameField = 8;
    private const int RawDataField = 9;

    /// <summary>TensorProto.DataType.FLOAT.</summary>
    internal const int FloatDataType = 1;

    /// <summary>TensorProto.DataType.FLOAT16.</summary>
    internal const int Float16DataType = 10;

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

    /// <summary>True when the values are written as IEEE 754 half precision.</summary>
    public bool IsFloat16 { get; private init; }

    /// <summary>A float16 initializer: <paramref name="data"/> is rounded to the nearest half when written.</summary>
    public static OnnxTensor Float16(string name, IReadOnlyList<long> dims, float[] data) => new(name, dims, data) { IsFloat16 = true };

    private int DataType => IsFloat16 ? Float16DataType : FloatDataType;

    private int RawLength => checked(Data.Length * (IsFloat16 ? 2 : sizeof(float)));

    internal override int ComputeSize() =>
        ProtoWriter.RepeatedInt64FieldSize(DimsField, Dims)
        + ProtoWriter.VarintFieldSize(DataTypeField, DataType)
        + ProtoWriter.StringFieldSize(NameField, Name)
        + ProtoWriter.LengthDelimitedFieldSize(RawDataField, RawLength);

    internal override void WriteTo(ProtoWriter writer)
    {
        writer.WriteRepeatedInt64Field(DimsField, Dims);
        writer.WriteVarintField(DataTypeField, DataType);
        writer.WriteStringField(NameField, Name);
        if (IsFloat16)
        {
            writer.WriteFloatsAsHalfBytesField(RawDataField, Data);
        }
        else
        {
            writer.WriteFloatsAsBytesField(RawDataField, Data);
        }
    }
}
