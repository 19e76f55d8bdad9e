using CarClassifier.Core.Models;
using CarClassifier.Core.Vehicles;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands;

/// <summary>
/// Shared body of <c>model info|verify|download|generate</c>. Exit codes: 0 done / file verified; 2 bad model name, or
/// download/generate asked of a model that has no source/generator; 3 the file is missing, corrupt or cannot be fetched.
/// </summary>
public abstract class ModelCommandBase(ModelAction action) : AsyncCommand<ModelSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ModelSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string manifestPath;
        ModelManifest manifest;
        try
        {
            manifestPath = ModelLocator.ResolveManifest(settings.Model);
            manifest = await ModelManifest.LoadAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or DirectoryNotFoundException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{ex.Message}[/]");
            return ExitCodes.Usage;
        }

        var store = new ModelStore(settings.Cache);
        var path = store.GetModelPath(manifest);
        return action switch
        {
            ModelAction.Info => await InfoAsync(manifestPath, manifest, path, cancellationToken).ConfigureAwait(false),
            ModelAction.Verify => await VerifyAsync(manifest, path, cancellationToken).ConfigureAwait(false),
            _ => await FetchAsync(store, manifest, cancellationToken).ConfigureAwait(false),
        };
    }

    private static async Task<int> InfoAsync(string manifestPath, ModelManifest manifest, string path, CancellationToken cancellationToken)
    {
        var labels = await ModelStore.LoadLabelsAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        var vehicles = await new VehicleTypeCatalog(Path.GetDirectoryName(Path.GetDirectoryName(manifestPath)!)!).GetAsync(manifest.Name, cancellationToken).ConfigureAwait(false);
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string key, string value) => grid.AddRow(new Markup($"[bold]{Markup.Escape(key)}[/]"), new Text(value));
        Row("Name", manifest.Name);
        Row("Version", manifest.Version);
        Row("Identity", manifest.Identity);
        Row("Description", manifest.Description ?? "");
        Row("Manifest", manifestPath);
        Row("Weights", manifest switch
        {
            { Source: not null } => $"download from {manifest.Source.Url}",
            { Generator: not null } => $"generated ({manifest.Generator.Kind}, seed {manifest.Generator.Seed})",
            { Package: not null } => $"prepared from NuGet package {manifest.Package.Id} {manifest.Package.Version} ({manifest.Package.Transform})",
            _ => "trained by carclass train (see provenance below)",
        });
        Row("sha256", manifest.Sha256);
        Row("Size", $"{manifest.SizeBytes:N0} bytes");
        Row("Input", $"{manifest.Input.Name} [{string.Join(", ", manifest.Input.Shape)}]");
        Row("Output", $"{manifest.Output.Name} [{string.Join(", ", manifest.Output.Shape)}] {manifest.Output.Kind}");
        Row("Labels", $"{labels.Count} classes ({string.Join(", ", labels.Take(3))}, ...)");
        Row("Vehicle types", vehicles is null ? "none (results show raw labels only)" : $"{vehicles.Classes.Count} classes map to {vehicles.Classes.Values.Select(c => c.Type).Distinct().Count()} types");
        Row("Cached file", File.Exists(path) ? $"{path} ({new FileInfo(path).Length:N0} bytes; run 'model verify' to check it)" : $"{path} (not there yet)");
        AnsiConsole.Write(grid);
        if (manifest.Provenance is { } provenance)
        {
            AnsiConsole.MarkupLine("[bold]Provenance[/]");
            AnsiConsole.Write(new Text(System.Text.Json.JsonSerializer.Serialize(provenance, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n"));
        }

        if (manifest.LabelsAreMeaningless)
        {
            AnsiConsole.MarkupLine("[yellow bold]Seeded random weights: its labels MEAN NOTHING.[/]");
        }

        return ExitCodes.Success;
    }

    private static async Task<int> VerifyAsync(ModelManifest manifest, string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Missing:[/] {path}. Run 'carclass model {(manifest.Generator is not null ? "generate" : "download")} {manifest.Name}'.");
            return ExitCodes.ModelUnavailable;
        }

        var actual = await AnsiConsole.Status().StartAsync($"Hashing {Path.GetFileName(path)}...", _ => ModelStore.ComputeSha256Async(path, null, cancellationToken)).ConfigureAwait(false);
        if (actual != manifest.Sha256)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Corrupt:[/] {path} has sha256 {actual}, the manifest expects {manifest.Sha256}. Delete it and fetch it again.");
            return ExitCodes.ModelUnavailable;
        }

        AnsiConsole.MarkupLineInterpolated($"[green]OK[/] {path} matches sha256 {manifest.Sha256}.");
        return ExitCodes.Success;
    }

    private async Task<int> FetchAsync(ModelStore store, ModelManifest manifest, CancellationToken cancellationToken)
    {
        var download = action == ModelAction.Download;
        if (download ? manifest.Source is null : manifest.Generator is null)
        {
            AnsiConsole.MarkupLineInterpolated(
                $"[red]{manifest.Name} cannot be {(download ? "downloaded" : "generated")}:[/] its manifest has no {(download ? "source" : "generator")}. Use 'carclass model {(download ? "generate" : "download")} {manifest.Name}'.");
            return ExitCodes.Usage;
        }

        var options = new ModelEnsureOptions { AllowDownload = download, AllowGenerate = !download, ReplaceCorruptFile = true };
        try
        {
            string path = "";
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask(download ? "Downloading" : "Generating", maxValue: Math.Max(1, manifest.SizeBytes));
                    var progress = new Progress<ModelProgress>(p =>
                    {
                        task.Description = p.Stage.ToString();
                        if (p.TotalBytes is > 0) task.MaxValue = p.TotalBytes.Value;
                        task.Value = Math.Min(p.BytesDone, task.MaxValue);
                    });
                    path = await store.EnsureModelAsync(manifest, options, progress, cancellationToken).ConfigureAwait(false);
                    task.Value = task.MaxValue;
                }).ConfigureAwait(false);
            AnsiConsole.MarkupLineInterpolated($"[green]Ready:[/] {path} (sha256 {manifest.Sha256}).");
            return ExitCodes.Success;
        }
        catch (Exception ex) when (ModelErrors.IsModelProblem(ex) || ex is HttpRequestException or IOException)
        {
            ModelErrors.Explain(ex, manifest);
            return ExitCodes.ModelUnavailable;
        }
    }
}
