namespace CarClassifier.Core.Models.Generation;

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

    public static OnnxModel Build(int seed, int classCount = DefaultClassCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        var builder = new Builder(new SeededRandom(unchecked((ulong)seed)));
        var graph = builder.Graph;
        graph.Inputs.Add(new OnnxValueInfo(InputName, [-1, 3, ImageSize, ImageSize]));

        var x = builder.Conv(InputName, Prefix + "conv0", 3, 64, kernel: 7, stride: 2);
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
        graph.Nodes.Add(new OnnxNode("Gemm", Prefix + "dense0", [x, weight, bias], [OutputName], OnnxAttribute.Int("transB", 1)));
        graph.Outputs.Add(new OnnxValueInfo(OutputName, [-1, classCount]));

        return new OnnxModel(graph, $"{RecipeVersion} seed={seed}");
    }

    /// <summary>Keeps the running PRNG and the graph under construction together while the layers are added.</summary>
    private sealed class Builder(SeededRandom random)
    {
        public OnnxGraph Graph { get; } = new("resnet50_generated");

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
            Graph.Initializers.Add(new OnnxTensor(name, dims, data));
            return name;
        }

        public string Constant(string name, long[] dims, float value)
        {
            var data = new float[Count(dims)];
            Array.Fill(data, value);
            Graph.Initializers.Add(new OnnxTensor(name, dims, data));
            return name;
        }

        private static int Count(long[] dims) => checked((int)dims.Aggregate(1L, (a, d) => a * d));
    }
}
