using CarClassifier.Cli.Commands;
using Spectre.Console.Cli;

// Ctrl+C cancels the running command's token (commands stop cleanly and exit with ExitCodes.Cancelled)
// instead of killing the process mid-write.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("carclass");
    config.AddCommand<RunCommand>("run")
        .WithDescription("Start the local host, upload a folder of images, wait for every row and print the results.")
        .WithExample("run", "--images", "./my-photos", "--model", "resnet50-v1-12");
    config.AddCommand<HostCommand>("host")
        .WithDescription("Run the two functions (ingest + classify) on the local WebJobs host until Ctrl+C.");
    CommandRegistrations.AddUserCommands(config);
    config.AddBranch("poison", poison =>
    {
        poison.SetDescription("List or replay messages that failed too often (classify-requests-poison, webjobs-blobtrigger-poison).");
        poison.AddCommand<PoisonListCommand>("list").WithDescription("List poison messages, leaving them in place.");
        poison.AddCommand<PoisonReplayCommand>("replay")
            .WithDescription("Re-enqueue poison messages once their cause is fixed.")
            .WithExample("poison", "replay", "--all");
    });
});
return await app.RunAsync(args, cancel.Token).ConfigureAwait(false);
