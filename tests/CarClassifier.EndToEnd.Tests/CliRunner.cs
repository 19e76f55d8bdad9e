using CarClassifier.Cli;
using CarClassifier.Cli.Output;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>Runs the real carclass command app in-process and captures what it prints.</summary>
internal static class CliRunner
{
    // AnsiConsole.Console is process-wide: one command at a time.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static Task<(int ExitCode, string Output)> RunAsync(params string[] args) => RunAsync(args, null);

    public static Task<(int ExitCode, string Output)> RunAsync(string[] args, Action<IConfigurator>? configure) => RunAsync(args, configure, 240, CancellationToken.None);

    /// <param name="width">Console width in columns (80 for the narrow-terminal checks).</param>
    /// <param name="cancellationToken">Cancelling it is Ctrl+C.</param>
    public static async Task<(int ExitCode, string Output)> RunAsync(string[] args, Action<IConfigurator>? configure, int width, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync();
        var previous = AnsiConsole.Console;
        try
        {
            using var writer = new StringWriter();
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(writer),
            });
            console.Profile.Width = width;
            AnsiConsole.Console = console;
            CliConsole.Error = console; // Errors go to stderr in the real CLI; here, with everything else.
            // The same app, registrations and composition root as Program.cs; errors are handled as a user sees them.
            var exit = await CliApp.RunAsync(args, config =>
            {
                config.ConfigureConsole(console);
                configure?.Invoke(config);
            }, cancellationToken);
            return (exit, writer.ToString());
        }
        finally
        {
            AnsiConsole.Console = previous;
            CliConsole.Error = null;
            Gate.Release();
        }
    }
}
