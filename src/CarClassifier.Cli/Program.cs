using CarClassifier.Cli;

// Ctrl+C cancels the running command's token (commands stop cleanly and exit with ExitCodes.Cancelled)
// instead of killing the process mid-write.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await CliApp.RunAsync(args, cancellationToken: cancel.Token).ConfigureAwait(false);
