using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Poison;

/// <summary>Options of <c>carclass poison replay</c>: exactly one of --all or --id (<see cref="PoisonSelection"/>).</summary>
public sealed class PoisonReplaySettings : StorageSettings
{
    [CommandOption("--all")]
    [Description("Replay every message in both poison queues.")]
    public bool All { get; init; }

    [CommandOption("--id <MESSAGE_ID>")]
    [Description("Replay one message, by the id `carclass poison list` shows. Repeatable.")]
    public string[] Ids { get; init; } = [];

    public override ValidationResult Validate() =>
        base.Validate() is { Successful: false } common ? common : PoisonSelection.Validate(All, Ids);
}
