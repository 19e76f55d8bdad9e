using CarClassifier.Cli.Commands;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.Composition;
using Spectre.Console.Cli;

namespace CarClassifier.Cli;

/// <summary>Builds the <c>carclass</c> command app: every command, resolved from the CLI's one service collection.</summary>
public static class CliApp
{
    /// <param name="configure">Extra configuration after the commands (tests set the console and propagate exceptions).</param>
    /// <param name="cancellationToken">The token the command runs with (Ctrl+C): what it cancels is reported as "Stopped", not as an error.</param>
    /// <param name="args">The command line, so an error can name the option whose value did not convert.</param>
    public static CommandApp Create(Action<IConfigurator>? configure = null, CancellationToken cancellationToken = default, IReadOnlyList<string>? args = null)
    {
        var app = new CommandApp(new TypeRegistrar(CliServices.Create()));
        app.Configure(config =>
        {
            config.SetApplicationName("carclass");
            config.SetExceptionHandler((ex, resolver) => CliErrors.Handle(ex, resolver, cancellationToken, args));

            // Like az: an option no command knows is an error (exit 2), never silently ignored.
            config.UseStrictParsing();
            CommandRegistrations.AddCommands(config);
            configure?.Invoke(config);
        });
        return app;
    }

    /// <summary>Runs the app; a command group given without its subcommand (<c>carclass model</c>) shows its help and is a usage error.</summary>
    public static async Task<int> RunAsync(string[] args, Action<IConfigurator>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);

        // Prose unwrapped (the terminal wraps it): a URL, path, hash or command is never split by us.
        using var prose = Output.ProseConsole.Install();
        var exit = await Create(configure, cancellationToken, args).RunAsync(args, cancellationToken).ConfigureAwait(false);

        // Spectre returns 1 after a group's help, which for us means "some images failed".
        return exit == 1 && args.Length == 1 && CommandRegistrations.Groups.Contains(args[0]) ? ExitCodes.Usage : exit;
    }
}
