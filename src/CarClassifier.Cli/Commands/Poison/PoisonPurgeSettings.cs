using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Poison;

/// <summary>Options of <c>carclass poison purge</c>: exactly one of --all or --id (<see cref="PoisonSelection"/>), and --yes where nobody can be asked.</summary>
public sealed class PoisonPurgeSettings : StorageSettings
{
    [CommandOption("--all")]
    [Description("Delete every message in both poison queues.")]
    public bool All { get; init; }

    [CommandOption("--id <MESSAGE_ID>")]
    [Description("Delete one message, by the id `carclass poison list` shows. Repeatable.")]
    public string[] Ids { get; init; } = [];

    [CommandOption("-y|--yes")]
    [Description("Do not ask for confirmation (required when the input is not a terminal).")]
    public bool Yes { get; init; }

    public override ValidationResult Validate() =>
        base.Validate() is { Successful: false } common ? common : PoisonSelection.Validate(All, Ids);
}
