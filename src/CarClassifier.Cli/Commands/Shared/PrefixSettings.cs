using System.ComponentModel;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>Options of the commands that read results under a blob name prefix.</summary>
public class PrefixSettings : StorageSettings
{
    [CommandOption("-p|--prefix <PREFIX>")]
    [Description("Only blobs whose name (inside the images container) starts with this, e.g. batch-7/. Default: all.")]
    public string? Prefix { get; init; }
}
