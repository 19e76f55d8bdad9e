using System.Text.Json.Serialization;

namespace CarClassifier.Core.Models;

/// <summary>Name and shape of a model input or output; -1 marks a dynamic (batch) dimension.</summary>
public sealed record TensorSpec
{
    public required string Name { get; init; }

    public required IReadOnlyList<long> Shape { get; init; }

    /// <summary>For outputs: whether the values are raw logits (softmax applied by us) or probabilities.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<OutputKind>))]
    public OutputKind Kind { get; init; } = OutputKind.Logits;
}
