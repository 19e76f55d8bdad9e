using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Upload;

/// <summary>Options of <c>carclass upload</c>.</summary>
public sealed class UploadSettings : StorageSettings
{
    [CommandArgument(0, "<FOLDER|FILE>")]
    [Description("Folder of images to upload, recursively (hidden files are skipped), or a single file.")]
    public string Folder { get; init; } = "";

    [CommandOption("-p|--prefix <PREFIX>")]
    [Description("Blob name prefix, e.g. batch-7/ (a trailing / is added when missing). Default: none, names are the relative paths.")]
    public string? Prefix { get; init; }

    [CommandOption("--parallel <N>")]
    [Description("Uploads in flight at once.")]
    [DefaultValue(8)]
    public int Parallel { get; init; } = 8;

    [CommandOption("--force")]
    [Description("Upload every file even when an identical blob is already there (re-classifies them).")]
    public bool Force { get; init; }

    [CommandOption("--include <GLOB>")]
    [Description("Only files matching this pattern: *.jpg matches names, cars/**/*.png paths inside the folder. Repeatable, or ;-separated.")]
    public string[] Include { get; init; } = [];

    [CommandOption("--exclude <GLOB>")]
    [Description("Leave out files matching this pattern (same syntax as --include; wins over it). Repeatable, or ;-separated.")]
    public string[] Exclude { get; init; } = [];

    [CommandOption("--dry-run")]
    [Description("List what would be uploaded (and what is unchanged) without uploading anything.")]
    public bool DryRun { get; init; }

    [CommandOption("--claim-checks <WHEN>")]
    [Description("Enqueue each uploaded image's claim check here, as Event Grid does in Azure, so the local host's blob trigger only skips it: auto (on for the storage emulator, off for an Azure account, whose Functions app ingests through Event Grid), on or off.")]
    [DefaultValue("auto")]
    public string ClaimChecks { get; init; } = "auto";

    public string NormalizedPrefix => string.IsNullOrEmpty(Prefix) ? "" : Prefix.TrimStart('/').EndsWith('/') ? Prefix.TrimStart('/') : Prefix.TrimStart('/') + "/";

    public override ValidationResult Validate()
    {
        if (base.Validate() is { Successful: false } common) return common;
        if (string.IsNullOrWhiteSpace(Folder)) return ValidationResult.Error("Give the folder (or file) to upload.");
        if (Parallel is < 1 or > 64) return ValidationResult.Error("--parallel must be between 1 and 64.");
        if (ClaimChecks is not ("auto" or "on" or "off")) return ValidationResult.Error("--claim-checks must be auto, on or off.");
        return ValidationResult.Success();
    }
}
