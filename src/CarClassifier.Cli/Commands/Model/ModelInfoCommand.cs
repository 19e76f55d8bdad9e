using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Models;
using CarClassifier.Core.Vehicles;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Model;

/// <summary><c>carclass model info</c>: the manifest, labels, vehicle-type map and cache state. Exit: 0 shown, 2 bad model name.</summary>
public sealed class ModelInfoCommand : AsyncCommand<ModelSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ModelSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (manifestPath, manifest, exit) = await ModelLocator.LoadAsync(settings.Model, cancellationToken).ConfigureAwait(false);
        if (manifest is null) return exit;
        var path = new ModelStore(settings.Cache).GetModelPath(manifest);
        IReadOnlyList<string> labels;
        try
        {
            labels = await ModelStore.LoadLabelsAsync(manifestPath, manifest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]The labels of {manifest.Name} cannot be read:[/] {ex.Message.Split('\n')[0]}");
            return ExitCodes.ModelUnavailable;
        }

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
}
