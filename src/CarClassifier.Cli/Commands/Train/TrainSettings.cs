using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Imaging;
using Spectre.Console.Cli;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Train;

/// <summary>Options of <c>carclass train</c>.</summary>
public sealed class TrainSettings : CliSettings
{
    [CommandOption("--data <DIR>")]
    [Description("Labelled folder: one sub-folder per class, images inside (nested folders belong to their top-level class).")]
    public string? Data { get; init; }

    [CommandOption("--base <MODEL>")]
    [Description("Base model: a folder name under models/ or a manifest.json path. resnet18-imagenet-features works offline (restored from NuGet).")]
    [DefaultValue("resnet50-v1-12")]
    public string Base { get; init; } = "resnet50-v1-12";

    [CommandOption("--out <DIR>")]
    [Description("Folder for manifest.json + labels.txt (created). The weights go to the model cache, never here.")]
    public string? Out { get; init; }

    [CommandOption("--name <NAME>")]
    [Description("Model name in the manifest and in every result row. Default: the --out folder's name.")]
    public string? Name { get; init; }

    [CommandOption("--cache <DIR>")]
    [Description("Model cache folder (Classifier:ModelCacheDirectory); cached features live under <DIR>/features.")]
    [DefaultValue(".models")]
    public string Cache { get; init; } = ".models";

    [CommandOption("--decoder <NAME>")]
    [Description("Image decoder, as in serving: turbojpeg, skia or imagesharp. Use the one your pipeline runs.")]
    [DefaultValue("turbojpeg")]
    public string Decoder { get; init; } = TurboJpegDecoder.DecoderName;

    [CommandOption("--batch-size <N>")]
    [Description("Images per ONNX Runtime run while extracting features.")]
    [DefaultValue(16)]
    public int BatchSize { get; init; } = 16;

    [CommandOption("--no-flips")]
    [Description("Do not add left-right mirror images to the training rows.")]
    public bool NoFlips { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of the stratified validation split (and of the cross-validation folds).")]
    [DefaultValue(42)]
    public int Seed { get; init; } = 42;

    [CommandOption("--no-feature-cache")]
    [Description("Neither read nor write cached features.")]
    public bool NoFeatureCache { get; init; }

    [CommandOption("--cross-validate <FOLDS>")]
    [Description("Measure instead of train: stratified k-fold top-1 of the head next to a nearest-class-mean baseline, plus extraction and head-fitting speed. Writes no model; --out not needed.")]
    public int? CrossValidate { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("Summary as a table or as one JSON object.")]
    [DefaultValue("table")]
    public string Format { get; init; } = "table";

    public override ValidationResult Validate()
    {
        if (base.Validate() is { Successful: false } common) return common;
        if (string.IsNullOrWhiteSpace(Data)) return ValidationResult.Error("--data is required: a folder with one sub-folder per class.");
        if (CrossValidate is null && string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required: the folder that receives manifest.json and labels.txt.");
        if ((OutputPaths.Folder(Out, "--out") ?? OutputPaths.Folder(Cache, "--cache")) is { } pathProblem) return pathProblem;
        if (CrossValidate is { } folds && folds is < 2 or > 20) return ValidationResult.Error("--cross-validate must be between 2 and 20 folds.");
        if (BatchSize is < 1 or > 1024) return ValidationResult.Error("--batch-size must be between 1 and 1024.");
        if (!ImageDecoderFactory.Names.Contains(Decoder, StringComparer.OrdinalIgnoreCase))
        {
            return ValidationResult.Error($"--decoder must be one of: {string.Join(", ", ImageDecoderFactory.Names)}.");
        }

        if (Format is not ("table" or "json")) return ValidationResult.Error("--format must be table or json.");
        return ValidationResult.Success();
    }
}
