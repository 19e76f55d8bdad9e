using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Model;

/// <summary>Options of the <c>carclass model</c> commands.</summary>
public sealed class ModelSettings : CliSettings
{
    [CommandArgument(0, "[MODEL]")]
    [Description("A folder name under models/ (resnet50-v1-12, resnet50-generated, color-tiny) or a manifest.json path.")]
    [DefaultValue("resnet50-v1-12")]
    public string Model { get; init; } = "resnet50-v1-12";

    [CommandOption("--cache <DIR>")]
    [Description("Model cache folder (Classifier:ModelCacheDirectory). Default: .models")]
    [DefaultValue(".models")]
    public string Cache { get; init; } = ".models";

    public override ValidationResult Validate() =>
        base.Validate() is { Successful: false } common ? common : OutputPaths.Folder(Cache, "--cache") ?? ValidationResult.Success();
}
