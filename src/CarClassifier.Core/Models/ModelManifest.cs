using System.Text.Json;
using System.Text.Json.Serialization;
using CarClassifier.Core.Imaging;

namespace CarClassifier.Core.Models;

/// <summary>
/// Everything the pipeline needs to know about a model, read from <c>models/&lt;name&gt;/manifest.json</c>:
/// where its weights come from (or how to generate them), its tensor contract, its preprocessing and labels.
/// Weights never live in git; the manifest pins them by sha256.
/// </summary>
public sealed record ModelManifest
{
    public required string Name { get; init; }

    public required string Version { get; init; }

    public string? Description { get; init; }

    /// <summary>File name of the ONNX weights inside the model cache folder.</summary>
    public required string File { get; init; }

    /// <summary>Where to download the weights from; null for generated models.</summary>
    public ModelSource? Source { get; init; }

    /// <summary>How to generate the weights; null for downloaded models.</summary>
    public ModelGenerator? Generator { get; init; }

    /// <summary>Weights derived from a restored NuGet package by the training tools (<c>carclass train</c> prepares them).</summary>
    public ModelPackageSource? Package { get; init; }

    /// <summary>
    /// For models made by <c>carclass train</c>: base model, classes and image counts, data fingerprint, validation
    /// metrics and settings. Kept as JSON so the pipeline can serve the model without knowing the training schema.
    /// Such a model's weights exist only where it was trained (or where they were copied), in the model cache.
    /// </summary>
    public JsonElement? Provenance { get; init; }

    /// <summary>Lower-case hex sha256 of the weights file.</summary>
    public required string Sha256 { get; init; }

    public long SizeBytes { get; init; }

    public required TensorSpec Input { get; init; }

    public required TensorSpec Output { get; init; }

    public PreprocessRecipe Preprocess { get; init; } = new();

    /// <summary>Labels file, one class name per line in class-index order; relative to the manifest's folder.</summary>
    public required string Labels { get; init; }

    /// <summary>True when the labels carry no meaning (seeded weights): the CLI warns loudly.</summary>
    public bool LabelsAreMeaningless { get; init; }

    /// <summary>Short identifier written to every result row: name, version and sha256 prefix.</summary>
    [JsonIgnore]
    public string Identity => $"{Name}@{Version}#{Sha256[..Math.Min(12, Sha256.Length)]}";

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static ModelManifest Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var manifest = JsonSerializer.Deserialize<ModelManifest>(json, JsonOptions)
            ?? throw new InvalidDataException("The model manifest is empty.");
        manifest.Validate();
        return manifest;
    }

    public static async Task<ModelManifest> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var json = await System.IO.File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return Parse(json);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidDataException)
        {
            throw new InvalidDataException($"Model manifest '{path}' is invalid: {ex.Message}", ex);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new InvalidDataException("name is required.");
        if (string.IsNullOrWhiteSpace(File) || System.IO.Path.GetFileName(File) != File)
        {
            throw new InvalidDataException("file must be a plain file name.");
        }

        if (Source is null && Generator is null && Package is null && Provenance is null)
        {
            throw new InvalidDataException("a manifest needs a source, a generator, a package or (for trained models) a provenance.");
        }
        if (Sha256.Length != 64 || !Sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new InvalidDataException("sha256 must be 64 lower-case hex digits.");
        }

        if (Input.Shape.Count != 4) throw new InvalidDataException("input shape must be [N,C,H,W] or [N,H,W,C].");
        if (Output.Shape.Count != 2) throw new InvalidDataException("output shape must be [N,classes].");
        Preprocess.Validate();
    }
}
