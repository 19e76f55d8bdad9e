using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace CarClassifier.Core.Models;

/// <summary>
/// Keeps model weights in a local cache folder and hands out only files whose sha256 matches their
/// manifest: it verifies what is there, generates what can be generated, downloads the rest, and
/// says clearly what to do when none of that works.
/// </summary>
public sealed class ModelStore
{
    private const int BufferSize = 1 << 20;

    // One shared client (the usual HttpClient advice). No overall timeout, since a 100 MB download on a slow
    // link may take minutes, but a connect timeout so an unreachable host fails in seconds.
    private static readonly Lazy<HttpClient> SharedHttpClient = new(() => new HttpClient(
        new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30), AutomaticDecompression = DecompressionMethods.None })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    });

    private readonly HttpClient? _httpClient;
    private readonly IModelWeightsGenerator? _generator;

    /// <param name="cacheDirectory">Folder for the weights (the repo's <c>.models/</c> by convention); created on demand.</param>
    /// <param name="httpClient">Client for downloads; a shared one is used when null.</param>
    /// <param name="generator">Makes generated models' weights; null in hosts that never generate (the Functions app).</param>
    public ModelStore(string cacheDirectory, HttpClient? httpClient = null, IModelWeightsGenerator? generator = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);
        CacheDirectory = Path.GetFullPath(cacheDirectory);
        _httpClient = httpClient;
        _generator = generator;
    }

    public string CacheDirectory { get; }

    private HttpClient Http => _httpClient ?? SharedHttpClient.Value;

    /// <summary>Where the weights of <paramref name="manifest"/> live (or will live) in the cache.</summary>
    public string GetModelPath(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return Path.Combine(CacheDirectory, manifest.File);
    }

    /// <summary>Ensures the weights are cached and verified, then loads the labels: everything a session needs.</summary>
    public async Task<LocalModel> LoadAsync(
        string manifestPath,
        ModelEnsureOptions? options = null,
        IProgress<ModelProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifestPath);
        var manifest = await ModelManifest.LoadAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        var labels = await LoadLabelsAsync(manifestPath, manifest, cancellationToken).ConfigureAwait(false);
        var modelPath = await EnsureModelAsync(manifest, options, progress, cancellationToken).ConfigureAwait(false);
        return new LocalModel(manifest, modelPath, labels);
    }

    /// <summary>
    /// Returns the path of the verified .onnx file for the manifest at <paramref name="manifestPath"/>,
    /// generating or downloading it first when it is not cached.
    /// </summary>
    /// <exception cref="ModelIntegrityException">A cached, downloaded or generated file has the wrong sha256.</exception>
    /// <exception cref="ModelUnavailableException">The file is absent and could not be generated or downloaded.</exception>
    public async Task<string> EnsureModelAsync(
        string manifestPath,
        ModelEnsureOptions? options = null,
        IProgress<ModelProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifestPath);
        var manifest = await ModelManifest.LoadAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        return await EnsureModelAsync(manifest, options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="EnsureModelAsync(string, ModelEnsureOptions?, IProgress{ModelProgress}?, CancellationToken)"/>
    public async Task<string> EnsureModelAsync(
        ModelManifest manifest,
        ModelEnsureOptions? options = null,
        IProgress<ModelProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        options ??= ModelEnsureOptions.Default;
        var path = GetModelPath(manifest);

        if (File.Exists(path))
        {
            var actual = await ComputeSha256Async(path, progress, cancellationToken).ConfigureAwait(false);
            if (actual == manifest.Sha256)
            {
                progress?.Report(new ModelProgress(ModelProgressStage.Ready, new FileInfo(path).Length, manifest.SizeBytes));
                return path;
            }

            if (!options.ReplaceCorruptFile)
            {
                throw new ModelIntegrityException(
                    $"The cached model file '{path}' has sha256 {actual}, but manifest '{manifest.Name}' expects {manifest.Sha256}. " +
                    "It is corrupt, truncated or a different model. Delete it (or ask for ReplaceCorruptFile) to fetch it again, " +
                    "or fix the manifest's sha256 if you replaced the model on purpose.",
                    path, manifest.Sha256, actual);
            }

            File.Delete(path);
        }

        Directory.CreateDirectory(CacheDirectory);
        DeleteStalePartials(path);
        if (manifest.Generator is not null && options.AllowGenerate && _generator is not null)
        {
            await GenerateAsync(_generator, manifest, path, progress, cancellationToken).ConfigureAwait(false);
        }
        else if (manifest.Source is not null && options.AllowDownload)
        {
            await DownloadAsync(manifest, manifest.Source.Url, path, progress, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new ModelUnavailableException(
                $"Model '{manifest.Name}' is not at '{path}', and {DescribeWhyNotFetched(manifest, options)}. " + HowToProvide(manifest, path),
                path);
        }

        progress?.Report(new ModelProgress(ModelProgressStage.Ready, new FileInfo(path).Length, manifest.SizeBytes));
        return path;
    }

    /// <summary>Loads the labels of the manifest at <paramref name="manifestPath"/>.</summary>
    public static async Task<IReadOnlyList<string>> LoadLabelsAsync(string manifestPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifestPath);
        var manifest = await ModelManifest.LoadAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        return await LoadLabelsAsync(manifestPath, manifest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads the labels file named by <paramref name="manifest"/>, relative to the manifest's folder: one label
    /// per line, in class order. A final newline is optional (the ImageNet file has none) and duplicate
    /// names are kept, since ImageNet really has two "crane" and two "maillot" classes.
    /// </summary>
    /// <exception cref="InvalidDataException">The path is absolute or the label count differs from the output's class count.</exception>
    public static async Task<IReadOnlyList<string>> LoadLabelsAsync(
        string manifestPath,
        ModelManifest manifest,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifestPath);
        ArgumentNullException.ThrowIfNull(manifest);
        if (string.IsNullOrWhiteSpace(manifest.Labels) || Path.IsPathRooted(manifest.Labels))
        {
            // Manifests travel with the repo; an absolute path would only work on its author's machine.
            throw new InvalidDataException(
                $"Model '{manifest.Name}': labels must be a path relative to the manifest's folder, not '{manifest.Labels}'.");
        }

        var manifestFolder = Path.GetDirectoryName(Path.GetFullPath(manifestPath)) ?? ".";
        var labelsPath = Path.GetFullPath(Path.Combine(manifestFolder, manifest.Labels));
        var text = await File.ReadAllTextAsync(labelsPath, Encoding.UTF8, cancellationToken).ConfigureAwait(false);

        var lines = text.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var classes = manifest.Output.Shape[^1];
        if (lines.Count != classes)
        {
            throw new InvalidDataException(
                $"Model '{manifest.Name}': '{labelsPath}' has {lines.Count} labels but the output '{manifest.Output.Name}' has {classes} classes.");
        }

        return lines;
    }

    /// <summary>Lower-case hex sha256 of a file, read in chunks so a 100 MB model is never held in memory.</summary>
    public static async Task<string> ComputeSha256Async(
        string path,
        IProgress<ModelProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        long done = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            done += read;
            progress?.Report(new ModelProgress(ModelProgressStage.Verifying, done, stream.Length));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task GenerateAsync(IModelWeightsGenerator generator, ModelManifest manifest, string path, IProgress<ModelProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new ModelProgress(ModelProgressStage.Generating, 0, manifest.SizeBytes > 0 ? manifest.SizeBytes : null));

        // Building ResNet-50 is about a second of pure CPU; keep it off the caller's thread.
        var bytes = await Task.Run(() => generator.Generate(manifest), cancellationToken).ConfigureAwait(false);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != manifest.Sha256)
        {
            // Nothing is written: the generator is meant to be byte-for-byte deterministic, so a
            // difference means its recipe changed (update the manifest) or determinism broke (a bug).
            throw new ModelIntegrityException(
                $"Generator '{manifest.Generator!.Kind}' produced {bytes.Length} bytes with sha256 {actual}, but manifest '{manifest.Name}' " +
                $"expects {manifest.Sha256}. If the generator recipe changed on purpose, update the manifest's sha256 and sizeBytes; " +
                "otherwise generation is no longer deterministic.",
                path, manifest.Sha256, actual);
        }

        var temp = TempPathFor(path);
        try
        {
            await File.WriteAllBytesAsync(temp, bytes, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }

        progress?.Report(new ModelProgress(ModelProgressStage.Generating, bytes.Length, bytes.Length));
    }

    private async Task DownloadAsync(ModelManifest manifest, Uri url, string path, IProgress<ModelProgress>? progress, CancellationToken cancellationToken)
    {
        var temp = TempPathFor(path);
        try
        {
            string actual;
            long done = 0;
            try
            {
                using var response = await Http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                var total = response.Content.Headers.ContentLength ?? (manifest.SizeBytes > 0 ? manifest.SizeBytes : null);
                progress?.Report(new ModelProgress(ModelProgressStage.Downloading, 0, total));

                await using var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using var destination = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    // Hash while writing so the file is read only once.
                    hash.AppendData(buffer, 0, read);
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    done += read;
                    progress?.Report(new ModelProgress(ModelProgressStage.Downloading, done, total));
                }

                actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException
                || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                throw new ModelUnavailableException(
                    $"Model '{manifest.Name}' is not at '{path}' and downloading it from {url} failed: {ex.Message} " + HowToProvide(manifest, path),
                    path,
                    ex);
            }

            if (actual != manifest.Sha256)
            {
                throw new ModelIntegrityException(
                    $"The download of model '{manifest.Name}' from {url} ({done} bytes) has sha256 {actual}, but the manifest expects " +
                    $"{manifest.Sha256}; it was discarded. The URL may serve a different file (for example a Git LFS pointer) " +
                    "or the transfer was damaged. " + HowToProvide(manifest, path),
                    path, manifest.Sha256, actual);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    // A unique name in the same folder, so the final rename is atomic and parallel fetches do not collide.
    /// <summary>
    /// Removes temporary files that a killed download or generation left behind. Only old ones: a partial file
    /// written in the last hour may belong to another host filling the same cache right now.
    /// </summary>
    private static void DeleteStalePartials(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        foreach (var partial in Directory.EnumerateFiles(folder, Path.GetFileName(path) + ".*.partial"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(partial) < DateTime.UtcNow.AddHours(-1)) File.Delete(partial);
            }
            catch (IOException)
            {
                // Best effort: the next start tries again.
            }
        }
    }

    private static string TempPathFor(string path) => $"{path}.{Guid.NewGuid():N}.partial";

    private string DescribeWhyNotFetched(ModelManifest manifest, ModelEnsureOptions options) =>
        (manifest.Generator, manifest.Source) switch
        {
            (not null, null) when options.AllowGenerate && _generator is null =>
                "this host cannot generate weights (only the local host, the bench and tests carry the generator)",
            (not null, not null) => "both generating and downloading are disabled",
            (not null, null) => "generating is disabled",
            (null, not null) => "downloading is disabled",
            _ when manifest.Package is not null =>
                $"it is derived from NuGet package {manifest.Package.Id} {manifest.Package.Version}: run `carclass train` (or `dotnet build`, then train) to prepare it",
            _ when manifest.Provenance is not null => "it was trained on another machine: copy its .onnx file here or run `carclass train` again",
            _ => "the manifest names neither a source nor a generator",
        };

    private static string HowToProvide(ModelManifest manifest, string path)
    {
        var size = manifest.SizeBytes > 0 ? $", {manifest.SizeBytes} bytes" : string.Empty;
        var where = manifest.Source is null ? string.Empty : $" from {manifest.Source.Url}";
        return $"To fix this, copy the file{where} (sha256 {manifest.Sha256}{size}) to '{path}' yourself, " +
            "or use a generated model that needs no download, such as models/resnet50-generated/manifest.json " +
            "(the real ResNet-50 architecture with seeded weights) or models/color-tiny/manifest.json.";
    }
}
