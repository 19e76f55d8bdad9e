using Spectre.Console;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>
/// Machine-readable output (CSV, JSON) written verbatim, with no markup or wrapping, through the same
/// console Spectre uses, so it goes to stdout in a shell and to the captured writer in tests.
/// </summary>
internal static class RawOutput
{
    public static TextWriter Writer => AnsiConsole.Console.Profile.Out.Writer;
}
