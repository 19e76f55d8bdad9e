namespace CarClassifier.ModelGeneration;

/// <summary>
/// Base of the hand-written ONNX protobuf messages. Each message can say its exact encoded size
/// before writing, so the whole model is serialised into one exactly-sized buffer.
/// Field numbers follow onnx/onnx.proto; only the fields our generators need are modelled.
/// </summary>
public abstract class OnnxMessage
{
    private protected OnnxMessage()
    {
    }

    internal abstract int ComputeSize();

    internal abstract void WriteTo(ProtoWriter writer);
}
