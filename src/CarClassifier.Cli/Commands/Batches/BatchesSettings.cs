using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Batches;

/// <summary>Options of <c>carclass batches</c>.</summary>
public sealed class BatchesSettings : StorageSettings
{
    [CommandOption("-f|--format <FORMAT>")]
    [Description("table (for people) or json (for programs).")]
    [DefaultValue("table")]
    public string Format { get; init; } = "table";

    public override ValidationResult Validate() =>
        base.Validate() is { Successful: false } common ? common
        : Format.ToUpperInvariant() is "TABLE" or "JSON" ? ValidationResult.Success()
        : ValidationResult.Error("--format must be table or json.");
}
