namespace CarClassifier.ModelGeneration;

/// <summary>An ONNX GraphProto: nodes in topological order, float initializers, inputs and outputs.</summary>
public sealed class OnnxGraph : OnnxMessage
{
    // onnx.proto GraphProto field numbers.
    private const int NodeField = 1;
    private const int NameField = 2;
    private const int InitializerField = 5;
    private const int InputField = 11;
    private const int OutputField = 12;

    public OnnxGraph(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    public string Name { get; }

    public List<OnnxNode> Nodes { get; } = [];

    public List<OnnxTensor> Initializers { get; } = [];

    public List<OnnxValueInfo> Inputs { get; } = [];

    public List<OnnxValueInfo> Outputs { get; } = [];

    /// <summary>Number of weights held by the initializers.</summary>
    public long ParameterCount => Initializers.Sum(t => (long)t.Data.Length);

    internal override int ComputeSize()
    {
        long size = ProtoWriter.StringFieldSize(NameField, Name);
        foreach (var node in Nodes) size += ProtoWriter.LengthDelimitedFieldSize(NodeField, node.ComputeSize());
        foreach (var tensor in Initializers) size += ProtoWriter.LengthDelimitedFieldSize(InitializerField, tensor.ComputeSize());
        foreach (var input in Inputs) size += ProtoWriter.LengthDelimitedFieldSize(InputField, input.ComputeSize());
        foreach (var output in Outputs) size += ProtoWriter.LengthDelimitedFieldSize(OutputField, output.ComputeSize());

        // Protobuf caps a message at 2 GiB; beyond that ONNX needs external data, which we do not write.
        return checked((int)size);
    }

    internal override void WriteTo(ProtoWriter writer)
    {
        foreach (var node in Nodes) writer.WriteMessageField(NodeField, node);
        writer.WriteStringField(NameField, Name);
        foreach (var tensor in Initializers) writer.WriteMessageField(InitializerField, tensor);
        foreach (var input in Inputs) writer.WriteMessageField(InputField, input);
        foreach (var output in Outputs) writer.WriteMessageField(OutputField, output);
    }
}
