using System.ComponentModel;
using CarClassifier.Cli.Output;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>Options every command has: how much it says and where its log goes.</summary>
public class CliSettings : CommandSettings
{
    [CommandOption("--log-level <LEVEL>")]
    [Description("Log messages at this level and above on the console: trace, debug, information, warning, error, critical or none. Default: warning (host: information).")]
    public string? LogLevel { get; init; }

    [CommandOption("-q|--quiet")]
    [Description("No progress bars, spinners or hints: only results, the final summary and errors.")]
    public bool Quiet { get; init; }

    [CommandOption("--log-file <PATH>")]
    [Description("Also write the log (information and above, or --log-level when lower) to this file, appended.")]
    public string? LogFile { get; init; }

    public override ValidationResult Validate() =>
        LogLevel is not null && !CliLog.TryParseLevel(LogLevel, out _)
            ? ValidationResult.Error($"--log-level must be one of {string.Join(", ", CliLog.LevelNames)}.")
            : OutputPaths.File(LogFile, "--log-file") ?? ValidationResult.Success();
}
