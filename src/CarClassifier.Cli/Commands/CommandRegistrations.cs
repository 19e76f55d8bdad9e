using CarClassifier.Cli.Commands.Host;
using CarClassifier.Cli.Commands.Model;
using CarClassifier.Cli.Commands.Poison;
using CarClassifier.Cli.Commands.Report;
using CarClassifier.Cli.Commands.Results;
using CarClassifier.Cli.Commands.Run;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.Commands.Upload;
using CarClassifier.Cli.Commands.Watch;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands;

/// <summary>
/// Every <c>carclass</c> command, registered in this one place (one line or block per verb; each verb's folder holds
/// its command, settings and helpers). Exit codes: see <see cref="ExitCodes"/>; each command's --help says which it returns.
/// </summary>
public static class CommandRegistrations
{
    /// <summary>The command groups: each needs a subcommand.</summary>
    public static IReadOnlySet<string> Groups { get; } = new HashSet<string>(StringComparer.Ordinal) { "model", "poison" };

    public static void AddCommands(IConfigurator config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.AddCommand<RunCommand>("run")
            .WithDescription("Start the local host, upload a folder of images, wait for every row and print the results.")
            .WithExample("run", "--images", "./my-photos", "--model", "resnet50-v1-12");
        config.AddCommand<HostCommand>("host")
            .WithDescription("Run the two functions (ingest + classify) on the local WebJobs host until Ctrl+C.");
        config.AddCommand<UploadCommand>("upload")
            .WithDescription("Upload a folder (or one file) to the images container, in parallel; --include/--exclude globs, --dry-run. Resumable: files already uploaded unchanged (same size and MD5) are skipped. Exit: 0 ok, 2 usage, 4 storage, 10 some uploads failed, 130 Ctrl+C.")
            .WithExample("upload", "./photos", "--prefix", "batch-7/")
            .WithExample("upload", "./photos", "--include", "*.jpg", "--exclude", "drafts/**", "--dry-run")
            .WithExample("upload", "./photos/red-car.jpg", "--prefix", "single/");
        config.AddCommand<WatchCommand>("watch")
            .WithDescription("Follow a prefix: uploaded / classified / failed, images/s and ETA, until every blob has a row. Exit: 0 all classified, 1 some failed, 4 storage, 5 timeout, 130 Ctrl+C.")
            .WithExample("watch", "--prefix", "batch-7/", "--timeout", "600");
        config.AddCommand<ResultsCommand>("results")
            .WithDescription("Show results as a table, CSV, JSON or JSON Lines, or --summary counts; filter by prefix, status, label/vehicle type, --since and --vehicles-only. Exit: 0 rows shown, 2 usage, 4 storage, 11 no row matched.")
            .WithExample("results", "--prefix", "batch-7/", "--status", "failed")
            .WithExample("results", "--label", "convertible", "--format", "csv")
            .WithExample("results", "--since", "2h", "--vehicles-only", "--summary")
            .WithExample("results", "--prefix", "batch-7/", "--format", "jsonl", "--limit", "100");
        config.AddCommand<Batches.BatchesCommand>("batches")
            .WithDescription("List the batches (first folder of the blob names) with their image, succeeded, failed and pending counts, newest first. Exit: 0 listed, 2 usage, 4 storage, 11 no batch.")
            .WithExample("batches", "--format", "json");
        config.AddCommand<ReportCommand>("report")
            .WithDescription("Write a static HTML gallery (thumbnails, top-5 with bars, failures with reasons, counts per vehicle type) that opens offline; --open shows it in the browser. Exit: 0 written, 2 usage, 4 storage, 11 no row matched.")
            .WithExample("report", "--prefix", "batch-7/", "--out", "./report")
            .WithExample("report", "--prefix", "batch-7/", "--vehicles-only", "--open");
        config.AddCommand<Train.TrainCommand>("train").WithDescription("Train a classifier on a labelled folder (one sub-folder per class): fine-tunes the last stage of a pretrained backbone and a new head (--frozen: head only); --cross-validate measures instead. Exit: 0 ok, 2 bad arguments or data, 3 base model unavailable, 130 Ctrl+C.").WithExample("train", "--data", "samples/labelled/vehicle_types", "--base", "resnet18-imagenet-features", "--out", "models-trained/vehicles");
        config.AddCommand<Evaluate.EvaluateCommand>("evaluate").WithDescription("Measure a classifier on a labelled folder: top-1/top-5, per-class precision/recall, confusion matrix, worst confusions, calibration (table, json or html). Exit: 0 ok, 2 bad arguments or data, 3 model unavailable, 130 Ctrl+C.").WithExample("evaluate", "--model", "models-trained/vehicles/manifest.json", "--data", "photos-held-out", "--format", "html", "--out", "evaluation");
        config.AddBranch("model", model =>
        {
            model.SetDescription("Manage model weights: info, verify, download, generate. Exit: 0 ok, 2 usage, 3 missing/corrupt/unreachable.");
            model.AddCommand<ModelInfoCommand>("info").WithDescription("Show a model's manifest, labels, vehicle-type map and cache state.").WithExample("model", "info", "resnet50-v1-12");
            model.AddCommand<ModelVerifyCommand>("verify").WithDescription("Check the cached weights against the manifest's sha256 (exit 3 when missing or corrupt).").WithExample("model", "verify", "resnet50-generated");
            model.AddCommand<ModelDownloadCommand>("download").WithDescription("Download the weights from the manifest's pinned URL, with progress, and verify them.").WithExample("model", "download", "resnet50-v1-12");
            model.AddCommand<ModelGenerateCommand>("generate").WithDescription("Generate the weights of a generated model (resnet50-generated, color-tiny) and verify them.").WithExample("model", "generate", "resnet50-generated");
        });
        config.AddBranch("poison", poison =>
        {
            poison.SetDescription("List, replay or purge messages that failed too often (classify-requests-poison, webjobs-blobtrigger-poison). Exit: 0 ok, 2 usage, 4 storage, 6 --id not found.");
            poison.AddCommand<PoisonListCommand>("list").WithDescription("List poison messages with why each failed, leaving them in place (peeked: the dequeue count does not change).").WithExample("poison", "list", "--json");
            poison.AddCommand<PoisonReplayCommand>("replay")
                .WithDescription("Re-enqueue poison messages once their cause is fixed.")
                .WithExample("poison", "replay", "--all");
            poison.AddCommand<PoisonPurgeCommand>("purge")
                .WithDescription("Delete poison messages for good (asks first; --yes where there is no terminal). Their blobs and rows stay.")
                .WithExample("poison", "purge", "--all", "--yes");
        });
    }
}
