namespace CarClassifier.ModelGeneration;

/// <summary>
/// Builds the real ResNet-50 architecture (torchvision v1.5 layout: stride on the 3x3 conv) with
/// seeded weights, under the ONNX model zoo resnet50-v1-12 contract: input <see cref="InputName"/>
/// float32 [N,3,224,224], output <see cref="OutputName"/> float32 [N,classes] logits.
/// The weights are random, so predictions mean nothing; what it gives is the true size, op mix and
/// cost of the production model without a 100 MB download.
/// </summary>
public static class ResNet50Generator
{
    public const string InputName = "data";

    public const string OutputName = "resnetv17_dense0_fwd";

    public const int ImageSize = 224;

    public const int DefaultClassCount = 1000;

    /// <summary>Part of the file's bytes: bump it whenever the recipe below changes the output.</summary>
    public const string RecipeVersion = "resnet50/1";

    private const string Prefix = "resnetv17_";

    /// <summary>
    /// BN scale on the last BN of each residual branch. With He-initialised convs and identity BN,
    /// each block would double the activation variance; a small branch gain keeps the 16 blocks'
    /// sum within a few times the input scale, so logits stay finite and input-dependent.
    /// </summary>
    private const float BranchGamma = 0.3f;

    private static readonly (int Blocks, int Width, int Stride)[] Stages = [(3, 64, 1), (4, 128, 2), (6, 256, 2), (3, 512, 2)];

    private const int Expansion = 4;

    /// <summary>Recipe tag of the fp16 variant (same weights, rounded to half precision).</summary>
    public const string Float16RecipeVersion = "resnet50-fp16/1";

    /// <summary>TensorProto.DataType values for the Cast nodes of the fp16 variant.</summary>
    private const long CastToFloat = 1;
    private const long CastToFloat16 = 10;

    /// <summary>
    /// Builds the model. With <paramref name="float16"/> every initializer and activation is half precision
    /// (same seeded values, rounded), with a Cast after the input and before the output so the tensor contract
    /// stays float32: callers, manifests and the batcher do not change, and on a GPU the casts run on the device.
    /// That is the variant for Tensor Cores (H100 runs fp16 convolutions several times faster than fp32).
    /// </summary>
    public static OnnxModel Build(int seed, int classCount = DefaultClassCount, bool float16 = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        var builder = new Builder(new SeededRandom(unchecked((ulong)seed))) { Float16 = float16 };
        var graph = builder.Graph;
        graph.Inputs.Add(new OnnxValueInfo(InputName, [-1, 3, ImageSize, ImageSize]));

        var input = float16
            ? builder.Node("Cast", Prefix + "input_cast", [InputName], OnnxAttribute.Int("to", CastToFloat16))
            : InputName;
        var x = builder.Conv(input, Prefix + "conv0", 3, 64, kernel: 7, stride: 2);
        x = builder.BatchNorm(x, Prefix + "batchnorm0", 64, 1f);
        x = builder.Relu(x, Prefix + "relu0");
        x = builder.Node("MaxPool", Prefix + "pool0", [x], OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("strides", 2, 2), OnnxAttribute.Ints("pads", 1, 1, 1, 1));

        var channels = 64;
        for (var s = 0; s < Stages.Length; s++)
        {
            var (blocks, width, stageStride) = Stages[s];
            for (var b = 0; b < blocks; b++)
            {
                x = builder.Bottleneck(x, $"{Prefix}stage{s + 1}_block{b}_", channels, width, b == 0 ? stageStride : 1, projection: b == 0);
                channels = width * Expansion;
            }
        }

        x = builder.Node("GlobalAveragePool", Prefix + "pool1", [x]);
        x = builder.Node("Flatten", Prefix + "flatten0", [x], OnnxAttribute.Int("axis", 1));

        var weight = builder.Initializer(Prefix + "dense0_weight", [classCount, channels], MathF.Sqrt(3f / channels));
        var bias = builder.Constant(Prefix + "dense0_bias", [classCount], 0f);
        if (float16)
        {
            const string halfLogits = Prefix + "dense0_fwd_fp16";
            graph.Nodes.Add(new OnnxNode("Gemm", Prefix + "dense0", [x, weight, bias], [halfLogits], OnnxAttribute.Int("transB", 1)));
            graph.Nodes.Add(new OnnxNode("Cast", Prefix + "output_cast", [halfLogits], [OutputName], OnnxAttribute.Int("to", CastToFloat)));
        }
        else
        {
            graph.Nodes.Add(new OnnxNode("Gemm", Prefix + "dense0", [x, weight, bias], [OutputName], OnnxAttribute.Int("transB", 1)));
        }

        graph.Outputs.Add(new OnnxValueInfo(OutputName, [-1, classCount]));

        return new OnnxModel(graph, $"{(float16 ? Float16RecipeVersion : RecipeVersion)} seed={seed}");
    }

    /// <summary>Keeps the running PRNG and the graph under construction together while the layers are added.</summary>
    private sealed class Builder(SeededRandom random)
    {
        public OnnxGraph Graph { get; } = new("resnet50_generated");

        /// <summary>Write every initializer as float16.</summary>
        public bool Float16 { get; init; }

        public string Bottleneck(string input, string prefix, int inChannels, int width, int stride, bool projection)
        {
            var outChannels = width * Expansion;
            var y = Conv(input, prefix + "conv0", inChannels, width, kernel: 1, stride: 1);
            y = Relu(BatchNorm(y, prefix + "batchnorm0", width, 1f), prefix + "relu0");
            y = Conv(y, prefix + "conv1", width, width, kernel: 3, stride: stride);
            y = Relu(BatchNorm(y, prefix + "batchnorm1", width, 1f), prefix + "relu1");
            y = Conv(y, prefix + "conv2", width, outChannels, kernel: 1, stride: 1);
            y = BatchNorm(y, prefix + "batchnorm2", outChannels, BranchGamma);

            var shortcut = input;
            if (projection)
            {
                shortcut = Conv(input, prefix + "downsample_conv", inChannels, outChannels, kernel: 1, stride: stride);
                shortcut = BatchNorm(shortcut, prefix + "downsample_batchnorm", outChannels, 1f);
            }

            var sum = Node("Add", prefix + "plus", [y, shortcut]);
            return Relu(sum, prefix + "relu2");
        }

        public string Conv(string input, string name, int inChannels, int outChannels, int kernel, int stride)
        {
            // He (Kaiming) uniform: variance 2/fan_in keeps ReLU activations at a steady scale.
            var fanIn = inChannels * kernel * kernel;
            var weight = Initializer(name + "_weight", [outChannels, inChannels, kernel, kernel], MathF.Sqrt(6f / fanIn));
            var pad = kernel / 2;
            return Node("Conv", name, [input, weight],
                OnnxAttribute.Ints("kernel_shape", kernel, kernel),
                OnnxAttribute.Ints("strides", stride, stride),
                OnnxAttribute.Ints("pads", pad, pad, pad, pad));
        }

        public string BatchNorm(string input, string name, int channels, float gamma)
        {
            // Inference-mode BN with mean 0 / var 1 is a per-channel affine map: gamma scales the branch.
            var inputs = new[]
            {
                input,
                Constant(name + "_gamma", [channels], gamma),
                Constant(name + "_beta", [channels], 0f),
                Constant(name + "_running_mean", [channels], 0f),
                Constant(name + "_running_var", [channels], 1f),
            };
            return Node("BatchNormalization", name, inputs, OnnxAttribute.Float("epsilon", 1e-5f));
        }

        public string Relu(string input, string name) => Node("Relu", name, [input]);

        public string Node(string opType, string name, string[] inputs, params OnnxAttribute[] attributes)
        {
            var output = name + "_fwd";
            Graph.Nodes.Add(new OnnxNode(opType, name, inputs, [output], attributes));
            return output;
        }

        public string Initializer(string name, long[] dims, float limit)
        {
            var data = new float[Count(dims)];
            random.FillSymmetric(data, limit);
            Graph.Initializers.Add(Tensor(name, dims, data));
            return name;
        }

        public string Constant(string name, long[] dims, float value)
        {
            var data = new float[Count(dims)];
            Array.Fill(data, value);
            Graph.Initializers.Add(Tensor(name, dims, data));
            return name;
        }

        private OnnxTensor Tensor(string name, long[] dims, float[] data) =>
            Float16 ? OnnxTensor.Float16(name, dims, data) : new OnnxTensor(name, dims, data);

        private static int Count(long[] dims) => checked((int)dims.Aggregate(1L, (a, d) => a * d));
    }
}
