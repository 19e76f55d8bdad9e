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
});
return await app.RunAsync(args).ConfigureAwait(false);
