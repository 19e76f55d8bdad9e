namespace CarClassifier.ModelGeneration;

/// <summary>An ONNX NodeProto: one operator in the default (ai.onnx) domain.</summary>
public sealed class OnnxNode : OnnxMessage
{
    // onnx.proto NodeProto field numbers.
    private const int InputField = 1;
    private const int OutputField = 2;
    private const int NameField = 3;
    private const int OpTypeField = 4;
    private const int AttributeField = 5;

    public OnnxNode(string opType, string name, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(attributes);
        OpType = opType;
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        Attributes = attributes;
    }

    public string OpType { get; }

    public string Name { get; }

    public IReadOnlyList<string> Inputs { get; }

    public IReadOnlyList<string> Outputs { get; }

    public IReadOnlyList<OnnxAttribute> Attributes { get; }

    internal override int ComputeSize()
    {
        var size = ProtoWriter.StringFieldSize(NameField, Name) + ProtoWriter.StringFieldSize(OpTypeField, OpType);
        foreach (var input in Inputs) size += ProtoWriter.StringFieldSize(InputField, input);
        foreach (var output in Outputs) size += ProtoWriter.StringFieldSize(OutputField, output);
        foreach (var attribute in Attributes) size += ProtoWriter.LengthDelimitedFieldSize(AttributeField, attribute.ComputeSize());
        return size;
    }

    internal override void WriteTo(ProtoWriter writer)
    {
        foreach (var input in Inputs) writer.WriteStringField(InputField, input);
        foreach (var output in Outputs) writer.WriteStringField(OutputField, output);
        writer.WriteStringField(NameField, Name);
        writer.WriteStringField(OpTypeField, OpType);
        foreach (var attribute in Attributes) writer.WriteMessageField(AttributeField, attribute);
    }
}
