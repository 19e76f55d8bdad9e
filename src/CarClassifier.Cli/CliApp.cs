using CarClassifier.Cli.Commands;
using CarClassifier.Cli.Composition;
using Spectre.Console.Cli;

namespace CarClassifier.Cli;

/// <summary>Builds the <c>carclass</c> command app: every command, resolved from the CLI's one service collection.</summary>
public static class CliApp
{
    /// <param name="configure">Extra configuration after the commands (tests set the console and propagate exceptions).</param>
    public static CommandApp Create(Action<IConfigurator>? configure = null)
    {
        var app = new CommandApp(new TypeRegistrar(CliServices.Create()));
        app.Configure(config =>
        {
            config.SetApplicationName("carclass");
            config.SetExceptionHandler(CliErrors.Handle);
            CommandRegistrations.AddCommands(config);
            configure?.Invoke(config);
        });
        return app;
    }
}
