namespace CarClassifier.Training.Head;

/// <summary>
/// A trained multinomial logistic regression on standardised features: <c>softmax(W · ((x - mean) / std) + b)</c>,
/// with <see cref="Weights"/> laid out class by class (K rows of D).
/// </summary>
public sealed record SoftmaxHead(Standardizer Standardizer, float[] Weights, float[] Bias, int Classes, int Width)
{
    /// <summary>Class probabilities for one raw feature row.</summary>
    public float[] Predict(ReadOnlySpan<float> features)
    {
        var z = Standardizer.Apply(features);
        var logits = new double[Classes];
        for (int k = 0; k < Classes; k++)
        {
            logits[k] = VectorMath.Dot(Weights.AsSpan(k * Width, Width), z) + Bias[k];
        }

        VectorMath.Softmax(logits);
        return [.. logits.Select(p => (float)p)];
    }
}
