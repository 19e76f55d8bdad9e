using System.Globalization;
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

    private static IAnsiConsole? _error;

    /// <summary>
    /// Where errors go: standard error, prose unwrapped (see <see cref="ProseConsole"/>), so a pipe or a log file of
    /// the results does not hold them and a script sees them on the stream it expects. Tests that run the app in process
    /// point it at their captured console.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.AllowNull]
    public static IAnsiConsole Error
    {
        get => _error ??= new ProseConsole(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }));
        set => _error = value is null or ProseConsole ? value : new ProseConsole(value);
    }

    /// <summary>Set from --quiet for the command being run.</summary>
    public static bool Quiet { get; set; }

    public static bool ShowsProgress => !Quiet && AnsiConsole.Profile.Capabilities.Interactive;

    public static Progress Progress() => ShowsProgress ? AnsiConsole.Progress() : new Progress(Nowhere);

    public static Status Status() => ShowsProgress ? AnsiConsole.Status() : new Status(Nowhere);

    /// <summary>
    /// The width for output that goes to a file or a pipe, where there is no terminal to ask and Spectre assumes 80
    /// columns: an explicit COLUMNS (e.g. <c>COLUMNS=200 carclass results &gt; out.txt</c>), else null (keep 80). On a
    /// terminal the terminal's own size wins and COLUMNS is ignored (a stale exported COLUMNS must not widen a table
    /// past the window). A value that is not a width (empty, text, under 20, over 1000) is ignored too.
    /// </summary>
    internal static int? RedirectedWidth(bool outputRedirected, string? columns) =>
        outputRedirected && int.TryParse(columns, NumberStyles.None, CultureInfo.InvariantCulture, out var width) && width is >= 20 and <= 1000
            ? width
            : null;

    /// <summary>Applies <see cref="RedirectedWidth"/> to the process's console (Program.cs, once at start).</summary>
    public static void UseColumnsWhenRedirected(bool outputRedirected, string? columns)
    {
        if (RedirectedWidth(outputRedirected, columns) is { } width) AnsiConsole.Profile.Width = width;
    }

    /// <summary>A hint or "Next:" line: left out under --quiet.</summary>
    public static void Hint(FormattableString markup)
    {
        if (!Quiet) AnsiConsole.MarkupLineInterpolated(markup);
    }
}
