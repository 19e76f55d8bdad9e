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

    [CommandOption("--frozen")]
    [Description("Head only, on frozen pooled features (fast: seconds after extraction). Default: fine-tune the last stage and a new head.")]
    public bool Frozen { get; init; }

    [CommandOption("--epochs <N>")]
    [Description("Fine-tuning: most epochs (early stopping on the hold-out usually ends sooner).")]
    [DefaultValue(20)]
    public int Epochs { get; init; } = 20;

    [CommandOption("--max-minutes <MINUTES>")]
    [Description("Fine-tuning: start no epoch that would end after this budget; the best epoch so far is kept.")]
    public double? MaxMinutes { get; init; }

    [CommandOption("--no-feature-cache")]
    [Description("Neither read nor write cached features.")]
    public bool NoFeatureCache { get; init; }

    [CommandOption("--cross-validate <FOLDS>")]
    [Description("Measure instead of train: stratified k-fold top-1 of the frozen head and of fine-tuning (unless --frozen) next to a nearest-class-mean baseline, on the same folds, plus times. Writes no model; --out not needed.")]
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
        if (Epochs is < 1 or > 1000) return ValidationResult.Error("--epochs must be between 1 and 1000.");
        if (MaxMinutes is { } minutes && (minutes <= 0 || double.IsNaN(minutes) || minutes > 7 * 24 * 60)) return ValidationResult.Error("--max-minutes must be a positive number of minutes.");
        if (Frozen && (MaxMinutes is not null)) return ValidationResult.Error("--max-minutes applies to fine-tuning; drop it with --frozen.");
        if (BatchSize is < 1 or > 1024) return ValidationResult.Error("--batch-size must be between 1 and 1024.");
        if (!ImageDecoderFactory.Names.Contains(Decoder, StringComparer.OrdinalIgnoreCase))
        {
            return ValidationResult.Error($"--decoder must be one of: {string.Join(", ", ImageDecoderFactory.Names)}.");
        }

        if (Format is not ("table" or "json")) return ValidationResult.Error("--format must be table or json.");
        return ValidationResult.Success();
    }
}
