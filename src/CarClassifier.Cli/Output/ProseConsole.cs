using Spectre.Console;
using Spectre.Console.Rendering;

namespace CarClassifier.Cli.Output;

/// <summary>
/// The console every command writes to: prose (markup and text lines) is written unwrapped, so the terminal wraps it
/// and a URL, a path, a sha256 or a command a user must copy is never cut in the middle or split at a space by us
/// (a terminal's soft wrap copies back as one line). Tables, grids, panels and progress keep fitting the width.
/// </summary>
internal sealed class ProseConsole(IAnsiConsole inner) : IAnsiConsole
{
    // Wide enough for any line we print, small enough that Spectre's width arithmetic cannot overflow.
    private const int Unbounded = 1 << 20;

    public IAnsiConsole Inner => inner;

    public Profile Profile => inner.Profile;

    public IAnsiConsoleCursor Cursor => inner.Cursor;

    public IAnsiConsoleInput Input => inner.Input;

    public IExclusivityMode ExclusivityMode => inner.ExclusivityMode;

    public RenderPipeline Pipeline => inner.Pipeline;

    public void Clear(bool home) => inner.Clear(home);

    public void WriteAnsi(Action<AnsiWriter> action) => inner.WriteAnsi(action);

    public void Write(IRenderable renderable) =>
        inner.Write(renderable is Markup or Text or Paragraph ? new Unwrapped(renderable) : renderable);

    /// <summary>Installs the prose console for the duration of a command; disposing puts the previous console back.</summary>
    public static IDisposable Install()
    {
        var previous = AnsiConsole.Console;
        if (previous is not ProseConsole) AnsiConsole.Console = new ProseConsole(previous);
        return new Restore(previous);
    }

    private sealed class Restore(IAnsiConsole previous) : IDisposable
    {
        public void Dispose() => AnsiConsole.Console = previous;
    }

    private sealed class Unwrapped(IRenderable prose) : IRenderable
    {
        public Measurement Measure(RenderOptions options, int maxWidth) => prose.Measure(options, Unbounded);

        public IEnumerable<Segment> Render(RenderOptions options, int maxWidth) => prose.Render(options, Unbounded);
    }
}
