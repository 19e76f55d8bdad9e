using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Host;

/// <summary>Options of <c>carclass host</c>.</summary>
public sealed class HostSettings : StorageSettings
{
    [CommandOption("-m|--model <NAME|PATH>")]
    [Description("Model: a folder name under models/ or a manifest.json path.")]
    [DefaultValue("resnet50-v1-12")]
    public string Model { get; init; } = "resnet50-v1-12";

    [CommandOption("--telemetry <EXPORTER>")]
    [Description("Also print traces and metrics: console. (OTLP is used whenever OTEL_EXPORTER_OTLP_ENDPOINT is set.)")]
    public string? Telemetry { get; init; }

    public override Spectre.Console.ValidationResult Validate() =>
        base.Validate() is { Successful: false } common ? common
        : Telemetry is null || Telemetry.Equals("console", StringComparison.OrdinalIgnoreCase)
            ? Spectre.Console.ValidationResult.Success()
            : Spectre.Console.ValidationResult.Error("--telemetry must be console.");

    [CommandOption("--no-restart")]
    [Description("Run the host in this process and exit when it dies, instead of restarting it after a crash.")]
    public bool NoRestart { get; init; }
}
