using CarClassifier.Cli;

// Ctrl+C cancels the running command's token (commands stop cleanly and exit with ExitCodes.Cancelled)
// instead of killing the process mid-write.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

// Redirected output has no terminal to measure: an explicit COLUMNS sets its width (tables, help).
CarClassifier.Cli.Output.CliConsole.UseColumnsWhenRedirected(Console.IsOutputRedirected, Environment.GetEnvironmentVariable("COLUMNS"));

return await CliApp.RunAsync(args, cancellationToken: cancel.Token).ConfigureAwait(false);
