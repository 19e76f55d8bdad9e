using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Results;

/// <summary>Options of <c>carclass results</c>.</summary>
public sealed class ResultsSettings : ResultFilterSettings
{
    [CommandOption("-f|--format <FORMAT>")]
    [Description("table (for people), csv or json (for programs; written to stdout with nothing else).")]
    [DefaultValue("table")]
    public string Format { get; init; } = "table";

    public override ValidationResult Validate()
    {
        var filters = base.Validate();
        if (!filters.Successful) return filters;
        return Format.ToUpperInvariant() is "TABLE" or "CSV" or "JSON" ? ValidationResult.Success() : ValidationResult.Error("--format must be table, csv or json.");
    }
}
