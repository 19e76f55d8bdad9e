namespace CarClassifier.ModelGeneration;

/// <summary>An ONNX AttributeProto holding a float, an int or a list of ints.</summary>
public sealed class OnnxAttribute : OnnxMessage
{
    // onnx.proto AttributeProto field numbers.
    private const int NameField = 1;
    private const int FloatField = 2;
    private const int IntField = 3;
    private const int IntsField = 8;
    private const int TypeField = 20;

    // AttributeProto.AttributeType values.
    private const int TypeFloat = 1;
    private const int TypeInt = 2;
    private const int TypeInts = 7;

    private readonly int _type;
    private readonly float _float;
    private readonly long _int;
    private readonly long[] _ints = [];

    private OnnxAttribute(string name, int type, float floatValue, long intValue, long[]? ints)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _type = type;
        _float = floatValue;
        _int = intValue;
        _ints = ints ?? [];
    }

    public string Name { get; }

    public static OnnxAttribute Float(string name, float value) => new(name, TypeFloat, value, 0, null);

    public static OnnxAttribute Int(string name, long value) => new(name, TypeInt, 0, value, null);

    public static OnnxAttribute Ints(string name, params long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(name, TypeInts, 0, 0, [.. values]);
    }

    internal override int ComputeSize()
    {
        var size = ProtoWriter.StringFieldSize(NameField, Name) + ProtoWriter.VarintFieldSize(TypeField, _type);
        return size + _type switch
        {
            TypeFloat => ProtoWriter.TagSize(FloatField) + sizeof(float),
            TypeInt => ProtoWriter.VarintFieldSize(IntField, _int),
            _ => ProtoWriter.RepeatedInt64FieldSize(IntsField, _ints),
        };
    }

    internal override void WriteTo(ProtoWriter writer)
    {
        // Field order matches the reference serialiser (ascending field number) so bytes are canonical.
        writer.WriteStringField(NameField, Name);
        switch (_type)
        {
            case TypeFloat:
                writer.WriteFloatField(FloatField, _float);
                break;
            case TypeInt:
                writer.WriteVarintField(IntField, _int);
                break;
            default:
                writer.WriteRepeatedInt64Field(IntsField, _ints);
                break;
        }

        writer.WriteVarintField(TypeField, _type);
    }
}
