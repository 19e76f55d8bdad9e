using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Results;

/// <summary>Options of <c>carclass results</c>.</summary>
public sealed class ResultsSettings : ResultFilterSettings
{
    [CommandOption("-f|--format <FORMAT>")]
    [Description("table (for people), csv, json or jsonl (one JSON object per line; for programs, written to stdout with nothing else).")]
    [DefaultValue("table")]
    public string Format { get; init; } = "table";

    [CommandOption("-n|--limit <N>")]
    [Description("Show at most N rows (in blob name order). Default: all.")]
    public int? Limit { get; init; }

    [CommandOption("--summary")]
    [Description("Counts instead of rows: per status, vehicle type, label and model (table or json).")]
    public bool Summary { get; init; }

    public override ValidationResult Validate()
    {
        var filters = base.Validate();
        if (!filters.Successful) return filters;
        if (Limit is < 1) return ValidationResult.Error("--limit must be 1 or more.");
        if (Summary && Format.ToUpperInvariant() is not ("TABLE" or "JSON")) return ValidationResult.Error("--summary prints a table or json.");
        return Format.ToUpperInvariant() is "TABLE" or "CSV" or "JSON" or "JSONL" ? ValidationResult.Success() : ValidationResult.Error("--format must be table, csv, json or jsonl.");
    }
}
