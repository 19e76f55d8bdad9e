using Microsoft.ML.OnnxRuntime;

namespace CarClassifier.Core.Tests.Models;

/// <summary>Runs a model once through real ONNX Runtime with the OrtValue API and copies the output out.</summary>
internal static class OrtTestRunner
{
    public static (long[] Shape, float[] Values) Run(InferenceSession session, string inputName, float[] input, long[] shape)
    {
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        var inputs = new Dictionary<string, OrtValue> { [inputName] = inputValue };
        using var outputs = session.Run(runOptions, inputs, session.OutputNames);
        var output = outputs[0];
        return (output.GetTensorTypeAndShape().Shape, output.GetTensorDataAsSpan<float>().ToArray());
    }
}
