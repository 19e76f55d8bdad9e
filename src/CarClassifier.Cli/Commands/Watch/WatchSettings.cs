using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Watch;

/// <summary>Options of <c>carclass watch</c>.</summary>
public sealed class WatchSettings : PrefixSettings
{
    [CommandOption("--timeout <SECONDS>")]
    [Description("Give up after this many seconds (exit code 5). 0 waits until Ctrl+C.")]
    [DefaultValue(0)]
    public int TimeoutSeconds { get; init; }

    [CommandOption("--interval <MS>")]
    [Description("How often to poll the results table, in milliseconds.")]
    [DefaultValue(1000)]
    public int IntervalMilliseconds { get; init; } = 1000;

    public override ValidationResult Validate() =>
        base.Validate() is { Successful: false } common ? common
        : TimeoutSeconds < 0 ? ValidationResult.Error("--timeout must be 0 or more.")
        : IntervalMilliseconds < 50 ? ValidationResult.Error("--interval must be at least 50 ms.")
        : ValidationResult.Success();
}
