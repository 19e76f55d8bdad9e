using System.Security.Cryptography;
using CarClassifier.Core.Models;

namespace CarClassifier.Training.Backbone;

/// <summary>
/// Turns <c>--base</c> into a <see cref="Backbone"/>: restores package-derived weights (ResNet-18 from NuGet) into the
/// model cache when they are missing, verifies every file by sha256 through <see cref="ModelStore"/>, then cuts the model
/// at its pooled features.
/// </summary>
public sealed class BackboneLoader(ModelStore store, ModelEnsureOptions? ensureOptions = null)
{
    private readonly ModelStore _store = store ?? throw new ArgumentNullException(nameof(store));

    public async Task<Backbone> LoadAsync(string manifestPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifestPath);
        var manifest = await ModelManifest.LoadAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        if (manifest.Package is not null && !File.Exists(_store.GetModelPath(manifest)))
        {
            await RestoreFromPackageAsync(manifest, _store.GetModelPath(manifest), cancellationToken).ConfigureAwait(false);
        }

        var local = await _store.LoadAsync(manifestPath, ensureOptions, progress: null, cancellationToken).ConfigureAwait(false);
        var model = await Task.Run(() => OnnxFiles.Load(local.ModelPath), cancellationToken).ConfigureAwait(false);
        var (name, width, isCut) = FeatureCut.Find(model, manifest.Output.Name, manifest.Output.Shape[1]);
        var featuresManifest = manifest with
        {
            Output = new TensorSpec { Name = name, Shape = [-1, width], Kind = OutputKind.Logits },
        };

        MakeBatchDynamic(model);
        var featuresPath = local.ModelPath;
        if (isCut)
        {
            FeatureCut.Apply(model, name, width);
            featuresPath = Path.Combine(_store.CacheDirectory, $"{Path.GetFileNameWithoutExtension(manifest.File)}.{manifest.Sha256[..12]}.features.onnx");
            if (!File.Exists(featuresPath)) await WriteAtomicallyAsync(featuresPath, OnnxFiles.ToBytes(model), cancellationToken).ConfigureAwait(false);
        }

        return new Backbone(manifest, Path.GetFullPath(manifestPath), featuresManifest, featuresPath, model);
    }

    /// <summary>Writes to a temporary name and renames, so an interrupted run never leaves a half-written model.</summary>
    internal static async Task WriteAtomicallyAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            await File.WriteAllBytesAsync(temp, bytes, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static void MakeBatchDynamic(Onnx.ModelProto model)
    {
        foreach (var value in model.Graph.Input.Concat(model.Graph.Output))
        {
            var dims = value.Type?.TensorType?.Shape?.Dim;
            if (dims is { Count: > 0 } && dims[0].DimValue == 1) dims[0] = new Onnx.TensorShapeProto.Types.Dimension { DimParam = GraphEdits.BatchDimension };
        }
    }

    private static async Task RestoreFromPackageAsync(ModelManifest manifest, string path, CancellationToken cancellationToken)
    {
        var package = manifest.Package!;
        if (package.Transform != ResNet18Package.TransformName)
        {
            throw new ModelUnavailableException(
                $"Model '{manifest.Name}' names package transform '{package.Transform}'; this build knows only '{ResNet18Package.TransformName}'.", path);
        }

        string folder;
        try
        {
            folder = ResNet18Package.PackageFolder(package.Id, package.Version);
        }
        catch (FileNotFoundException ex)
        {
            throw new ModelUnavailableException($"Model '{manifest.Name}' cannot be prepared: {ex.Message}", path, ex);
        }

        var backbonePath = Path.Combine(folder, package.Path);
        var preprocessPath = Path.Combine(folder, ResNet18Package.PreprocessPath);
        await CheckShaAsync(backbonePath, package.FileSha256, manifest, path, cancellationToken).ConfigureAwait(false);
        await CheckShaAsync(preprocessPath, ResNet18Package.PreprocessSha256, manifest, path, cancellationToken).ConfigureAwait(false);

        var bytes = await Task.Run(
            () => OnnxFiles.ToBytes(ResNet18Package.Transform(OnnxFiles.Load(backbonePath), OnnxFiles.Load(preprocessPath))),
            cancellationToken).ConfigureAwait(false);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != manifest.Sha256)
        {
            throw new ModelIntegrityException(
                $"Preparing '{manifest.Name}' from {package.Id} {package.Version} produced sha256 {actual}, but the manifest expects {manifest.Sha256}. " +
                "If the transform changed on purpose, update the manifest's sha256 and sizeBytes.",
                path, manifest.Sha256, actual);
        }

        await WriteAtomicallyAsync(path, bytes, cancellationToken).ConfigureAwait(false);
    }

    private static async Task CheckShaAsync(string file, string expected, ModelManifest manifest, string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(file)) throw new ModelUnavailableException($"Model '{manifest.Name}': '{file}' is missing from the restored package.", path);
        var actual = await ModelStore.ComputeSha256Async(file, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (actual != expected)
        {
            throw new ModelIntegrityException(
                $"Model '{manifest.Name}': packaged file '{file}' has sha256 {actual}, expected {expected}. The NuGet cache is damaged or holds a different package.",
                path, expected, actual);
        }
    }
}
