using System.ComponentModel;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Poison;

/// <summary>Options of <c>carclass poison list</c>.</summary>
public sealed class PoisonListSettings : StorageSettings
{
    [CommandOption("--json")]
    [Description("Print the messages as JSON (one array) instead of a table.")]
    public bool Json { get; init; }
}
