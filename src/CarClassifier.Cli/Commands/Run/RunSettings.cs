using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Run;

/// <summary>Options of <c>carclass run</c>.</summary>
public sealed class RunSettings : StorageSettings
{
    [CommandOption("-i|--images <DIR>")]
    [Description("Folder of images to upload (recursively). Default: the sample photos shipped in samples/images.")]
    public string? Images { get; init; }

    [CommandOption("-m|--model <NAME|PATH>")]
    [Description("Model: a folder name under models/ (resnet50-v1-12, resnet50-generated, color-tiny) or a manifest.json path.")]
    [DefaultValue("resnet50-v1-12")]
    public string Model { get; init; } = "resnet50-v1-12";

    [CommandOption("--prefix <PREFIX>")]
    [Description("Blob name prefix for this run. Default: run-<UTC timestamp>/ so runs never collide.")]
    public string? Prefix { get; init; }

    [CommandOption("--timeout <SECONDS>")]
    [Description("Give up waiting for rows after this many seconds.")]
    [DefaultValue(600)]
    public int TimeoutSeconds { get; init; } = 600;

    [CommandOption("-v|--verbose")]
    [Description("Log what the host does (ingest, batches, failures): the same as --log-level information.")]
    public bool Verbose { get; init; }

    [CommandOption("--decoder <NAME>")]
    [Description("Image decoder: turbojpeg (default), skia or imagesharp.")]
    public string? Decoder { get; init; }
}
