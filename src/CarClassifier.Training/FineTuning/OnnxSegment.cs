using CarClassifier.Training.Backbone;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace CarClassifier.Training.FineTuning;

/// <summary>
/// A piece of an ONNX graph (from one tensor to another) run by TorchSharp with the graph's own initializers as its
/// weights: the same architecture by construction, whatever the base (ResNet-18 from CNTK, ResNet-50 v1-12). Conv
/// weights and biases and BatchNormalization scales and shifts become trainable parameters when
/// <c>trainable</c> is set; everything else (BN running statistics, constants) stays fixed.
/// <para>
/// BatchNormalization always runs with its stored statistics (inference mode), also while training: batches of a few
/// dozen cached activations would give noisy statistics, and the exported graph then computes exactly what was
/// trained. Only its affine scale and shift learn. <see cref="StemCut.WithWeights"/> puts the learned values into
/// the graph's initializers of the same names, which is the export.
/// </para>
/// Asymmetric pads (CNTK exports <c>[1,1,0,0]</c> for stride-2 layers) are applied with an explicit pad, so the windows
/// match ONNX Runtime's exactly.
/// </summary>
public sealed class OnnxSegment : IDisposable
{
    private readonly List<NodeProto> _nodes;
    private readonly Dictionary<string, Tensor> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _parameters = new(StringComparer.Ordinal);

    public OnnxSegment(GraphProto graph, string input, string output, bool trainable)
    {
        ArgumentNullException.ThrowIfNull(graph);
        Input = input;
        Output = output;
        _nodes = NodesBetween(graph, input, output);
        var trainedNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in _nodes)
        {
            if (node.OpType == "Conv") trainedNames.UnionWith(node.Input.Skip(1));
            if (node.OpType == "BatchNormalization") trainedNames.UnionWith(node.Input.Skip(1).Take(2));
        }

        foreach (var name in _nodes.SelectMany(n => n.Input).Distinct())
        {
            if (GraphEdits.Initializer(graph, name) is not { } init) continue;
            if (init.DataType == (int)TensorProto.Types.DataType.Int64)
            {
                _constants[name] = tensor(init.Int64Data.Count > 0 ? [.. init.Int64Data] : ReadInt64(init), [init.Dims.Count == 0 ? 1 : init.Dims[0]]);
                continue;
            }

            var values = tensor(GraphEdits.ReadFloats(init), [.. init.Dims]);
            if (trainable && trainedNames.Contains(name))
            {
                _parameters[name] = values.requires_grad_(true);
            }
            else
            {
                _constants[name] = values;
            }
        }
    }

    public string Input { get; }

    public string Output { get; }

    /// <summary>The learnable tensors, by initializer name (empty when built with <c>trainable: false</c>).</summary>
    public IReadOnlyDictionary<string, Tensor> Parameters => _parameters;

    /// <summary>Runs the segment; intermediate tensors are owned by the caller's dispose scope.</summary>
    public Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [Input] = x };
        foreach (var node in _nodes)
        {
            values[node.Output[0]] = Run(node, values);
        }

        return values[Output];
    }

    /// <summary>
    /// Sets the parameters named in <paramref name="snapshot"/> (taken with <see cref="Snapshot"/>, possibly of a
    /// smaller segment of the same graph: the last stage's weights restored into the whole network).
    /// </summary>
    public void Restore(IReadOnlyDictionary<string, float[]> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        using var _ = no_grad();
        foreach (var (name, values) in snapshot)
        {
            var target = _parameters.GetValueOrDefault(name) ?? throw new ArgumentException($"This segment has no parameter '{name}'.", nameof(snapshot));
            using var source = tensor(values, target.shape);
            target.copy_(source);
        }
    }

    public Dictionary<string, float[]> Snapshot() =>
        _parameters.ToDictionary(p => p.Key, p => p.Value.detach().data<float>().ToArray(), StringComparer.Ordinal);

    public void Dispose()
    {
        foreach (var t in _constants.Values.Concat(_parameters.Values)) t.Dispose();
        _constants.Clear();
        _parameters.Clear();
    }

    private Tensor Value(string name, Dictionary<string, Tensor> values) =>
        values.TryGetValue(name, out var v) ? v
        : _parameters.TryGetValue(name, out var p) ? p
        : _constants.TryGetValue(name, out var c) ? c
        : throw new InvalidDataException($"Tensor '{name}' is not computed before it is used.");

    private Tensor Run(NodeProto node, Dictionary<string, Tensor> values)
    {
        var x = Value(node.Input[0], values);
        switch (node.OpType)
        {
            case "Conv":
            {
                var weight = Value(node.Input[1], values);
                var bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? Value(node.Input[2], values) : null;
                var pads = Ints(node, "pads") ?? [0, 0, 0, 0];
                var (padded, symmetric) = Pad(x, pads, 0);
                return nn.functional.conv2d(
                    padded, weight, bias,
                    strides: Ints(node, "strides") ?? [1, 1],
                    padding: symmetric,
                    dilation: Ints(node, "dilations") ?? [1, 1],
                    groups: Int(node, "group") ?? 1);
            }

            case "BatchNormalization":
                return nn.functional.batch_norm(
                    x, Value(node.Input[3], values), Value(node.Input[4], values),
                    Value(node.Input[1], values), Value(node.Input[2], values),
                    training: false, momentum: 0, eps: Float(node, "epsilon") ?? 1e-5);
            case "Relu":
                return nn.functional.relu(x);
            case "Add":
                return x + Value(node.Input[1], values);
            case "Sub":
                return x - Value(node.Input[1], values);
            case "MaxPool":
            {
                var (padded, symmetric) = Pad(x, Ints(node, "pads") ?? [0, 0, 0, 0], float.NegativeInfinity);
                return nn.functional.max_pool2d(padded, Ints(node, "kernel_shape")!, Ints(node, "strides") ?? [1, 1], symmetric);
            }

            case "AveragePool":
            {
                var pads = Ints(node, "pads") ?? [0, 0, 0, 0];
                if (pads.Any(p => p != 0)) throw new NotSupportedException($"AveragePool '{node.Name}' with padding is not supported.");
                return nn.functional.avg_pool2d(x, Ints(node, "kernel_shape")!, Ints(node, "strides") ?? [1, 1]);
            }

            case "GlobalAveragePool":
                return x.mean([2, 3], keepdim: true);
            case "Flatten":
                return x.flatten(Int(node, "axis") ?? 1);
            case "Reshape":
            {
                var shape = Value(node.Input[1], values).data<long>().ToArray();
                return x.reshape(shape);
            }

            default:
                throw new NotSupportedException($"ONNX operator {node.OpType} ('{node.Name}') is not supported for fine-tuning.");
        }
    }

    /// <summary>ONNX pads [top, left, bottom, right]: symmetric ones go to the operator, the rest is padded explicitly.</summary>
    private static (Tensor Padded, long[] Symmetric) Pad(Tensor x, long[] pads, double value)
    {
        if (pads.Length != 4) throw new NotSupportedException("Only 2-D convolutions and pools are supported.");
        if (pads[0] == pads[2] && pads[1] == pads[3]) return (x, [pads[0], pads[1]]);
        return (nn.functional.pad(x, [pads[1], pads[3], pads[0], pads[2]], PaddingModes.Constant, value), [0, 0]);
    }

    private static long[]? Ints(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? [.. a.Ints] : null;

    private static long? Int(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : null;

    private static double? Float(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : null;

    private static long[] ReadInt64(TensorProto init)
    {
        var bytes = init.RawData.ToByteArray();
        var result = new long[bytes.Length / sizeof(long)];
        Buffer.BlockCopy(bytes, 0, result, 0, bytes.Length);
        return result;
    }

    /// <summary>The nodes that compute <paramref name="output"/> from <paramref name="input"/>, in graph order.</summary>
    internal static List<NodeProto> NodesBetween(GraphProto graph, string input, string output)
    {
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var needed = new HashSet<NodeProto>();
        var pending = new Stack<string>([output]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryPop(out var tensor))
        {
            if (tensor == input || initializers.Contains(tensor) || tensor.Length == 0 || !seen.Add(tensor)) continue;
            var producer = GraphEdits.Producer(graph, tensor)
                ?? throw new InvalidDataException($"'{output}' depends on '{tensor}', which is neither '{input}' nor computed from it.");
            needed.Add(producer);
            foreach (var i in producer.Input) pending.Push(i);
        }

        return [.. graph.Node.Where(needed.Contains)];
    }
}
