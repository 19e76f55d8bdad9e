using CarClassifier.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("carclass");
    config.AddCommand<RunCommand>("run")
        .WithDescription("Start the local host, upload a folder of images, wait for every row and print the results.")
        .WithExample("run", "--images", "./my-photos", "--model", "resnet50-v1-12");
    config.AddCommand<HostCommand>("host")
        .WithDescription("Run the two functions (ingest + classify) on the local WebJobs host until Ctrl+C.");
    config.AddBranch("poison", poison =>
    {
        poison.SetDescription("List or replay messages that failed too often (classify-requests-poison, webjobs-blobtrigger-poison).");
        poison.AddCommand<PoisonListCommand>("list").WithDescription("List poison messages, leaving them in place.");
        poison.AddCommand<PoisonReplayCommand>("replay")
            .WithDescription("Re-enqueue poison messages once their cause is fixed.")
            .WithExample("poison", "replay", "--all");
    });
});
return await app.RunAsync(args).ConfigureAwait(false);
