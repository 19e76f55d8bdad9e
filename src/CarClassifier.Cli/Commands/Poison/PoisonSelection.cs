using Spectre.Console;

namespace CarClassifier.Cli.Commands.Poison;

/// <summary>
/// The one rule <c>poison replay</c> and <c>poison purge</c> share: exactly one of --all and --id. Checked in the settings'
/// Validate, so a mistake is a usage error (exit 2, one line) before anything connects to storage.
/// </summary>
internal static class PoisonSelection
{
    public static ValidationResult Validate(bool all, IReadOnlyCollection<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return (all, ids.Count > 0) switch
        {
            (true, true) => ValidationResult.Error("Pass either --all or --id, not both."),
            (false, false) => ValidationResult.Error("Say which messages: --all, or one or more --id <MESSAGE_ID> from 'carclass poison list'."),
            _ => ValidationResult.Success(),
        };
    }
}
