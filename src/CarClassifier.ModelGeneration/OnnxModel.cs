namespace CarClassifier.ModelGeneration;

/// <summary>
/// An ONNX ModelProto importing the default opset <see cref="OpsetVersion"/>. <see cref="ToByteArray"/>
/// gives the .onnx file bytes; the encoding is canonical, so equal models give equal bytes.
/// </summary>
public sealed class OnnxModel : OnnxMessage
{
    /// <summary>IR version 7 is the one ONNX 1.8 paired with opset 13; every ONNX Runtime since 1.6 reads it.</summary>
    public const long IrVersion = 7;

    public const long OpsetVersion = 13;

    public const string ProducerName = "CarClassifier.Core";

    // onnx.proto ModelProto and OperatorSetIdProto field numbers.
    private const int IrVersionField = 1;
    private const int ProducerNameField = 2;
    private const int ProducerVersionField = 3;
    private const int GraphField = 7;
    private const int OpsetImportField = 8;
    private const int OpsetDomainField = 1;
    private const int OpsetVersionField = 2;

    public OnnxModel(OnnxGraph graph, string producerVersion)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentException.ThrowIfNullOrEmpty(producerVersion);
        Graph = graph;
        ProducerVersion = producerVersion;
    }

    public OnnxGraph Graph { get; }

    /// <summary>Identifies the generator recipe; it is part of the bytes, so change it when a recipe changes.</summary>
    public string ProducerVersion { get; }

    public byte[] ToByteArray()
    {
        var bytes = new byte[ComputeSize()];
        var writer = new ProtoWriter(bytes);
        WriteTo(writer);
        if (writer.Position != bytes.Length)
        {
            throw new InvalidOperationException($"The model wrote {writer.Position} bytes but announced {bytes.Length}.");
        }

        return bytes;
    }

    internal override int ComputeSize() =>
        ProtoWriter.VarintFieldSize(IrVersionField, IrVersion)
        + ProtoWriter.StringFieldSize(ProducerNameField, ProducerName)
        + ProtoWriter.StringFieldSize(ProducerVersionField, ProducerVersion)
        + ProtoWriter.LengthDelimitedFieldSize(GraphField, Graph.ComputeSize())
        + ProtoWriter.LengthDelimitedFieldSize(OpsetImportField, OpsetSize());

    internal override void WriteTo(ProtoWriter writer)
    {
        writer.WriteVarintField(IrVersionField, IrVersion);
        writer.WriteStringField(ProducerNameField, ProducerName);
        writer.WriteStringField(ProducerVersionField, ProducerVersion);
        writer.WriteMessageField(GraphField, Graph);

        // OperatorSetIdProto { domain: "" (ai.onnx), version }.
        writer.WriteTag(OpsetImportField, ProtoWriter.WireLengthDelimited);
        writer.WriteVarint((ulong)OpsetSize());
        writer.WriteStringField(OpsetDomainField, string.Empty);
        writer.WriteVarintField(OpsetVersionField, OpsetVersion);
    }

    private static int OpsetSize() =>
        ProtoWriter.StringFieldSize(OpsetDomainField, string.Empty) + ProtoWriter.VarintFieldSize(OpsetVersionField, OpsetVersion);
}
