using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Imaging;
using Spectre.Console.Cli;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Evaluate;

/// <summary>Options of <c>carclass evaluate</c>.</summary>
public sealed class EvaluateSettings : CliSettings
{
    [CommandOption("--model <MODEL>")]
    [Description("The classifier: a manifest.json path (e.g. the --out of carclass train) or a folder name under models/.")]
    public string? Model { get; init; }

    [CommandOption("--data <DIR>")]
    [Description("Labelled folder (one sub-folder per class); every class folder must be one of the model's labels.")]
    public string? Data { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("table (console), json (one object on stdout: top1, top5, perClass, ...) or html (a page in --out).")]
    [DefaultValue("table")]
    public string Format { get; init; } = "table";

    [CommandOption("--out <DIR>")]
    [Description("Folder for index.html and evaluation.json (created). Required by --format html; optional otherwise.")]
    public string? Out { get; init; }

    [CommandOption("--cache <DIR>")]
    [Description("Model cache folder (Classifier:ModelCacheDirectory).")]
    [DefaultValue(".models")]
    public string Cache { get; init; } = ".models";

    [CommandOption("--decoder <NAME>")]
    [Description("Image decoder, as in serving: turbojpeg, skia or imagesharp.")]
    [DefaultValue("turbojpeg")]
    public string Decoder { get; init; } = TurboJpegDecoder.DecoderName;

    [CommandOption("--batch-size <N>")]
    [Description("Images per ONNX Runtime run.")]
    [DefaultValue(16)]
    public int BatchSize { get; init; } = 16;

    public override ValidationResult Validate()
    {
        if (base.Validate() is { Successful: false } common) return common;
        if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model is required: a manifest.json path or a model name under models/.");
        if (string.IsNullOrWhiteSpace(Data)) return ValidationResult.Error("--data is required: a labelled folder with one sub-folder per class.");
        if (Format is not ("table" or "json" or "html")) return ValidationResult.Error("--format must be table, json or html.");
        if (Format == "html" && string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--format html needs --out <DIR> for the page.");
        if ((OutputPaths.Folder(Out, "--out") ?? OutputPaths.Folder(Cache, "--cache")) is { } pathProblem) return pathProblem;
        if (BatchSize is < 1 or > 1024) return ValidationResult.Error("--batch-size must be between 1 and 1024.");
        if (!ImageDecoderFactory.Names.Contains(Decoder, StringComparer.OrdinalIgnoreCase))
        {
            return ValidationResult.Error($"--decoder must be one of: {string.Join(", ", ImageDecoderFactory.Names)}.");
        }

        return ValidationResult.Success();
    }
}
