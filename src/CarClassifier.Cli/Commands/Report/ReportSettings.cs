using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Report;

/// <summary>Options of <c>carclass report</c>.</summary>
public sealed class ReportSettings : ResultFilterSettings
{
    [CommandOption("-o|--out <DIR>")]
    [Description("Folder to write index.html and thumbs/ into (created if missing). Open index.html from disk; it needs no network.")]
    [DefaultValue("report")]
    public string Out { get; init; } = "report";

    [CommandOption("--title <TEXT>")]
    [Description("Page title. Default: Car classifier report.")]
    public string? Title { get; init; }

    [CommandOption("--thumb-size <PIXELS>")]
    [Description("Longest side of the thumbnails.")]
    [DefaultValue(240)]
    public int ThumbSize { get; init; } = 240;

    [CommandOption("--open")]
    [Description("Open index.html in the default browser when written (xdg-open, open or the Windows file association). Without an opener it says so and still exits 0.")]
    public bool Open { get; init; }

    public override ValidationResult Validate()
    {
        if (base.Validate() is { Successful: false } common) return common;
        if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out must name a folder.");
        if (OutputPaths.Folder(Out, "--out") is { } outProblem) return outProblem;
        if (ThumbSize is < 16 or > 1024) return ValidationResult.Error("--thumb-size must be between 16 and 1024.");
        return base.Validate();
    }
}
