using CarClassifier.Core.Batching;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Inference;

/// <summary>
/// Loads the configured model once per process (verifying, downloading or generating its weights) and
/// owns it until shutdown. As a hosted service it loads at start, so a missing or corrupt model stops
/// the host with a clear message instead of poisoning every queue message.
/// </summary>
public sealed class ModelRuntime : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly ClassifierOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IModelWeightsGenerator? _generator;
    private readonly TimeProvider _time;
    private readonly Lazy<Task<LoadedModel>> _loaded;
    private int _disposed;

    /// <param name="generator">Registered (AddModelGeneration) only by hosts that may generate weights.</param>
    /// <param name="time">The batcher's clock (DI's TimeProvider; null = the system clock).</param>
    public ModelRuntime(IOptions<ClassifierOptions> options, ILoggerFactory loggerFactory, IModelWeightsGenerator? generator = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        _loggerFactory = loggerFactory;
        _generator = generator;
        _time = time ?? TimeProvider.System;
        _logger = loggerFactory.CreateLogger<ModelRuntime>();
        _loaded = new Lazy<Task<LoadedModel>>(() => LoadAsync(CancellationToken.None), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The loaded model; the first caller triggers the load.</summary>
    public Task<LoadedModel> GetAsync(CancellationToken cancellationToken = default) => _loaded.Value.WaitAsync(cancellationToken);

    /// <summary>The loaded model's identity, or null while it is loading or when it failed to load (never throws).</summary>
    public string? TryGetIdentity() =>
        _loaded.IsValueCreated && _loaded.Value.IsCompletedSuccessfully ? _loaded.Value.Result.Manifest.Identity : null;

    public async Task StartAsync(CancellationToken cancellationToken) => await GetAsync(cancellationToken).ConfigureAwait(false);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        // DI disposes this twice: once as the singleton, once as the hosted service registered from it.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_loaded.IsValueCreated && _loaded.Value.IsCompletedSuccessfully)
        {
            await _loaded.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>For containers disposed synchronously; the work is the same as <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Resolves a configured path: absolute as is, else against the current directory, then the app's folder.</summary>
    public static string ResolvePath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Path.IsPathRooted(path)) return path;
        var fromCurrent = Path.GetFullPath(path);
        if (File.Exists(fromCurrent) || Directory.Exists(fromCurrent)) return fromCurrent;
        var fromBase = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, path));
        return File.Exists(fromBase) || Directory.Exists(fromBase) ? fromBase : fromCurrent;
    }

    private async Task<LoadedModel> LoadAsync(CancellationToken cancellationToken)
    {
        var manifestPath = ResolvePath(_options.ModelManifest);
        if (!File.Exists(manifestPath))
        {
            throw new FileNotFoundException($"Model manifest not found at '{manifestPath}' (Classifier:ModelManifest).", manifestPath);
        }

        var cache = Path.GetFullPath(_options.ModelCacheDirectory);
        var (manifest, modelPath, labels) = await new ModelStore(cache, generator: _generator).LoadAsync(
            manifestPath,
            new ModelEnsureOptions { AllowDownload = _options.AllowModelDownload, AllowGenerate = _options.AllowModelGeneration },
            new StageLogger(_logger, Path.GetFileName(Path.GetDirectoryName(manifestPath)) ?? manifestPath),
            cancellationToken).ConfigureAwait(false);
        if (manifest.LabelsAreMeaningless)
        {
            _logger.LogWarning("Model {Model} has seeded weights: its labels mean nothing. Use it for smoke runs and benchmarks only.", manifest.Identity);
        }

        var session = new ModelSession(modelPath, manifest, _options, _loggerFactory.CreateLogger<ModelSession>());
        try
        {
            int maxBatchSize = _options.MaxBatchSize;
            if (session.FixedBatchSize == 1 && maxBatchSize > 1)
            {
                // A model exported with batch 1 still works, one image per Run: say so once, rather than fail every batch.
                _logger.LogWarning(
                    "Model {Model} has a fixed batch dimension of 1: Classifier:MaxBatchSize {Configured} is lowered to 1 (one image per ONNX Run). " +
                    "Export the model with a dynamic batch axis to batch images.",
                    manifest.Identity, maxBatchSize);
                maxBatchSize = 1;
            }

            var batcher = new InferenceBatcher(
                session,
                labels,
                manifest.Output.Kind,
                new BatcherOptions(maxBatchSize, TimeSpan.FromMilliseconds(_options.MaxBatchDelayMilliseconds), _options.TopK),
                _loggerFactory.CreateLogger<InferenceBatcher>(),
                _time);
            return new LoadedModel(manifest, modelPath, labels, session, batcher);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Logs each stage (verifying, downloading, generating, ready) once, not every chunk.</summary>
    private sealed class StageLogger(ILogger logger, string model) : IProgress<ModelProgress>
    {
        private int _lastStage = -1;

        public void Report(ModelProgress value)
        {
            if (Interlocked.Exchange(ref _lastStage, (int)value.Stage) != (int)value.Stage)
            {
                logger.LogInformation("Model {Model}: {Stage} ({TotalBytes} bytes)", model, value.Stage, value.TotalBytes);
            }
        }
    }
}
