using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands;

/// <summary>Options of <c>carclass results</c>.</summary>
public sealed class ResultsSettings : PrefixSettings
{
    [CommandOption("-s|--status <STATUS>")]
    [Description("Only succeeded or failed rows.")]
    public string? Status { get; init; }

    [CommandOption("-l|--label <TEXT>")]
    [Description("Only rows whose label or vehicle type contains this text (case-insensitive), e.g. \"sports car\" or \"not a vehicle\".")]
    public string? Label { get; init; }

    [CommandOption("-f|--format <FORMAT>")]
    [Description("table (for people), csv or json (for programs; written to stdout with nothing else).")]
    [DefaultValue("table")]
    public string Format { get; init; } = "table";

    public override ValidationResult Validate()
    {
        if (Status is not null && !Status.Equals("succeeded", StringComparison.OrdinalIgnoreCase) && !Status.Equals("failed", StringComparison.OrdinalIgnoreCase))
        {
            return ValidationResult.Error("--status must be succeeded or failed.");
        }

        return Format.ToUpperInvariant() is "TABLE" or "CSV" or "JSON" ? ValidationResult.Success() : ValidationResult.Error("--format must be table, csv or json.");
    }
}
