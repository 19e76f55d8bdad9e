using Spectre.Console;

namespace CarClassifier.Cli.Output;

/// <summary>
/// Progress bars and spinners, shown only where they help: on a terminal and without --quiet. Redirected output and
/// --quiet get neither (no frames, no "Uploading 37%" lines in a log), only the lines a command prints itself.
/// </summary>
internal static class CliConsole
{
    private static readonly IAnsiConsole Nowhere = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(TextWriter.Null),
    });

    /// <summary>Set from --quiet for the command being run.</summary>
    public static bool Quiet { get; set; }

    public static bool ShowsProgress => !Quiet && AnsiConsole.Profile.Capabilities.Interactive;

    public static Progress Progress() => ShowsProgress ? AnsiConsole.Progress() : new Progress(Nowhere);

    public static Status Status() => ShowsProgress ? AnsiConsole.Status() : new Status(Nowhere);

    /// <summary>A hint or "Next:" line: left out under --quiet.</summary>
    public static void Hint(FormattableString markup)
    {
        if (!Quiet) AnsiConsole.MarkupLineInterpolated(markup);
    }
}
