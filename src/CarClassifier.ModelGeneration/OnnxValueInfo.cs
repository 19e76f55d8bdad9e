namespace CarClassifier.ModelGeneration;

/// <summary>
/// An ONNX ValueInfoProto for a float32 graph input or output. A negative dimension is written as
/// the symbolic dim_param <see cref="DynamicDimensionName"/>, which is how ONNX marks a dynamic batch.
/// </summary>
public sealed class OnnxValueInfo : OnnxMessage
{
    public const string DynamicDimensionName = "N";

    // onnx.proto field numbers: ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto, Dimension.
    private const int NameField = 1;
    private const int TypeField = 2;
    private const int TensorTypeField = 1;
    private const int ElemTypeField = 1;
    private const int ShapeField = 2;
    private const int DimField = 1;
    private const int DimValueField = 1;
    private const int DimParamField = 2;

    public OnnxValueInfo(string name, IReadOnlyList<long> shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        Name = name;
        Shape = [.. shape];
    }

    public string Name { get; }

    public IReadOnlyList<long> Shape { get; }

    internal override int ComputeSize() =>
        ProtoWriter.StringFieldSize(NameField, Name) + ProtoWriter.LengthDelimitedFieldSize(TypeField, TypeSize());

    internal override void WriteTo(ProtoWriter writer)
    {
        writer.WriteStringField(NameField, Name);

        // TypeProto { tensor_type { elem_type, shape { dim* } } }, written inline: these small
        // nested messages exist only here, so they do not earn classes of their own.
        writer.WriteTag(TypeField, ProtoWriter.WireLengthDelimited);
        writer.WriteVarint((ulong)TypeSize());
        writer.WriteTag(TensorTypeField, ProtoWriter.WireLengthDelimited);
        writer.WriteVarint((ulong)TensorTypeSize());
        writer.WriteVarintField(ElemTypeField, OnnxTensor.FloatDataType);
        writer.WriteTag(ShapeField, ProtoWriter.WireLengthDelimited);
        writer.WriteVarint((ulong)ShapeSize());
        foreach (var dim in Shape)
        {
            writer.WriteTag(DimField, ProtoWriter.WireLengthDelimited);
            writer.WriteVarint((ulong)DimensionSize(dim));
            if (dim < 0)
            {
                writer.WriteStringField(DimParamField, DynamicDimensionName);
            }
            else
            {
                writer.WriteVarintField(DimValueField, dim);
            }
        }
    }

    private static int DimensionSize(long dim) => dim < 0
        ? ProtoWriter.StringFieldSize(DimParamField, DynamicDimensionName)
        : ProtoWriter.VarintFieldSize(DimValueField, dim);

    private int ShapeSize()
    {
        var size = 0;
        foreach (var dim in Shape)
        {
            size += ProtoWriter.LengthDelimitedFieldSize(DimField, DimensionSize(dim));
        }

        return size;
    }

    private int TensorTypeSize() =>
        ProtoWriter.VarintFieldSize(ElemTypeField, OnnxTensor.FloatDataType) + ProtoWriter.LengthDelimitedFieldSize(ShapeField, ShapeSize());

    private int TypeSize() => ProtoWriter.LengthDelimitedFieldSize(TensorTypeField, TensorTypeSize());
}
