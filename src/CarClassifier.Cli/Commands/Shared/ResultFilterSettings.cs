using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>Options of the commands that read a filtered set of results: prefix, status and label / vehicle type.</summary>
public class ResultFilterSettings : PrefixSettings
{
    [CommandOption("-s|--status <STATUS>")]
    [Description("Only succeeded or failed rows.")]
    public string? Status { get; init; }

    [CommandOption("-l|--label <TEXT>")]
    [Description("Only rows whose label or vehicle type contains this text (case-insensitive), e.g. \"sports car\" or \"not a vehicle\".")]
    public string? Label { get; init; }

    public override ValidationResult Validate() =>
        base.Validate() is { Successful: false } common ? common
        : Status is null || Status.Equals("succeeded", StringComparison.OrdinalIgnoreCase) || Status.Equals("failed", StringComparison.OrdinalIgnoreCase)
            ? ValidationResult.Success()
            : ValidationResult.Error("--status must be succeeded or failed.");
}
