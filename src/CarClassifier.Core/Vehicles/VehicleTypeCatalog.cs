using System.Collections.Concurrent;
using CarClassifier.Core.Models;

namespace CarClassifier.Core.Vehicles;

/// <summary>
/// Finds the vehicle-types map of a model by name under a models folder: the <c>vehicle-types.json</c> next to
/// the labels file its manifest names. Models that share ImageNet labels (resnet50-generated points at
/// resnet50-v1-12's labels) therefore share the map. Models without one (color-tiny) get null.
/// </summary>
public sealed class VehicleTypeCatalog
{
    private readonly string _modelsRoot;
    private readonly ConcurrentDictionary<string, Lazy<Task<VehicleTypeMap?>>> _maps = new(StringComparer.Ordinal);

    /// <param name="modelsRoot">The folder holding <c>&lt;model&gt;/manifest.json</c> (the repo's or the app's <c>models/</c>).</param>
    public VehicleTypeCatalog(string modelsRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelsRoot);
        _modelsRoot = Path.GetFullPath(modelsRoot);
    }

    /// <summary>The first of the usual places that holds a models folder: the working directory, then the app's folder.</summary>
    public static VehicleTypeCatalog FromDefaultLocations()
    {
        foreach (var root in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            var candidate = Path.Combine(root, "models");
            if (Directory.Exists(candidate)) return new VehicleTypeCatalog(candidate);
        }

        return new VehicleTypeCatalog(Path.Combine(AppContext.BaseDirectory, "models"));
    }

    /// <summary>The map for a model name or a row's model identity (<c>name@version#sha</c>); null when the model has none.</summary>
    public Task<VehicleTypeMap?> GetAsync(string? model, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(model)) return Task.FromResult<VehicleTypeMap?>(null);
        var name = model.Split('@', 2)[0];

        // A model name is a folder name: anything that could walk out of the models folder has no map.
        if (name.Length == 0 || name != Path.GetFileName(name) || name is "." or "..") return Task.FromResult<VehicleTypeMap?>(null);
        return _maps.GetOrAdd(name, n => new Lazy<Task<VehicleTypeMap?>>(() => LoadAsync(n, CancellationToken.None))).Value.WaitAsync(cancellationToken);
    }

    private async Task<VehicleTypeMap?> LoadAsync(string name, CancellationToken cancellationToken)
    {
        var manifestPath = Path.Combine(_modelsRoot, name, "manifest.json");
        if (!File.Exists(manifestPath)) return null;
        var manifest = await ModelManifest.LoadAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        var labelsPath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(manifestPath)!, manifest.Labels));
        var mapPath = Path.Combine(Path.GetDirectoryName(labelsPath)!, VehicleTypeMap.FileName);
        return File.Exists(mapPath) ? await VehicleTypeMap.LoadAsync(mapPath, cancellationToken).ConfigureAwait(false) : null;
    }
}
