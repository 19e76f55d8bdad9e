using CarClassifier.Core.Models;
using CarClassifier.Core.Results;
using CarClassifier.Core.Vehicles;

namespace CarClassifier.Cli.Commands.Report;

/// <summary>
/// What the report knows about the models named in its rows: which have seeded weights (labels that mean nothing,
/// the same flag <c>run</c> and <c>host</c> warn about), and each row's summed vehicle probability from the model's
/// vehicle-types map. Rows name their model as <c>name@version#sha</c>; a model whose manifest is not in the local
/// models folder is simply not known (no banner, no vehicle sum), never an error.
/// </summary>
internal sealed class ReportModels
{
    private readonly Dictionary<string, VehicleTypeMap?> _maps;

    private ReportModels(IReadOnlyList<string> meaningless, Dictionary<string, VehicleTypeMap?> maps)
    {
        MeaninglessModels = meaningless;
        _maps = maps;
    }

    /// <summary>Knows no model: no banner, no vehicle sums.</summary>
    public static ReportModels None { get; } = new([], new Dictionary<string, VehicleTypeMap?>(StringComparer.Ordinal));

    /// <summary>Names of the rows' models whose manifests say their labels mean nothing, sorted.</summary>
    public IReadOnlyList<string> MeaninglessModels { get; }

    public static async Task<ReportModels> LoadAsync(IEnumerable<ResultView> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var root = ModelsRoot();
        var catalog = new VehicleTypeCatalog(root);
        var meaningless = new SortedSet<string>(StringComparer.Ordinal);
        var maps = new Dictionary<string, VehicleTypeMap?>(StringComparer.Ordinal);
        foreach (var model in rows.Select(r => r.Model).Where(m => !string.IsNullOrWhiteSpace(m)).Distinct(StringComparer.Ordinal))
        {
            var name = Name(model!);
            if (maps.ContainsKey(name)) continue;
            // A model name is a folder name: anything that could walk out of the models folder is unknown.
            if (name.Length == 0 || name != Path.GetFileName(name) || name is "." or "..")
            {
                maps[name] = null;
                continue;
            }

            var manifestPath = Path.Combine(root, name, "manifest.json");
            try
            {
                if (File.Exists(manifestPath) && (await ModelManifest.LoadAsync(manifestPath, cancellationToken).ConfigureAwait(false)).LabelsAreMeaningless)
                {
                    meaningless.Add(name);
                }

                maps[name] = await catalog.GetAsync(name, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException)
            {
                // An unreadable manifest or map must not cost the user the report: that model is just unknown here.
                maps[name] = null;
            }
        }

        return new ReportModels([.. meaningless], maps);
    }

    /// <summary>The summed probability of the vehicle classes among the row's stored top-k; null when its model has no vehicle map.</summary>
    public double? VehicleSum(ResultView row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!row.Succeeded || row.TopK.Count == 0 || row.Model is null) return null;
        if (!_maps.TryGetValue(Name(row.Model), out var map) || map is null) return null;
        return Math.Clamp(row.TopK.Where(s => map.Classes.ContainsKey(s.Index)).Sum(s => s.Probability), 0, 1);
    }

    private static string Name(string model) => model.Split('@', 2)[0];

    // The same places VehicleTypeCatalog.FromDefaultLocations looks: the working directory, then the app's folder.
    private static string ModelsRoot()
    {
        foreach (var root in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            var candidate = Path.Combine(root, "models");
            if (Directory.Exists(candidate)) return candidate;
        }

        return Path.Combine(AppContext.BaseDirectory, "models");
    }
}
