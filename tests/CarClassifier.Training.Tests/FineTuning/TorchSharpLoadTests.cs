using TorchSharp;

namespace CarClassifier.Training.Tests.FineTuning;

/// <summary>
/// TorchSharp's native wrapper loads from this build's output (build/TorchSharpNative.targets made it loadable on
/// libstdc++ without GLIBCXX_3.4.32) and computes: a convolution forward and backward pass with known results.
/// </summary>
public sealed class TorchSharpLoadTests
{
    [Fact]
    public void Convolution_forward_and_backward_run_and_give_the_known_result()
    {
        using var scope = torch.NewDisposeScope();
        // A 1x1x3x3 input of ones convolved with a 1x1x2x2 kernel of twos: every output is 4 * 2 = 8.
        var input = torch.ones(1, 1, 3, 3);
        var weight = torch.full(new long[] { 1, 1, 2, 2 }, 2f, requires_grad: true);
        var output = torch.nn.functional.conv2d(input, weight);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, output.shape);
        Assert.All(output.data<float>().ToArray(), v => Assert.Equal(8f, v));

        // d(sum)/d(weight) = each kernel tap sees four ones.
        output.sum().backward();
        Assert.All(weight.grad!.data<float>().ToArray(), v => Assert.Equal(4f, v));
    }
}
