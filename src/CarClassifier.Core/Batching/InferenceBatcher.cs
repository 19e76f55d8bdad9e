using System.Buffers;
using System.Threading.Channels;
using CarClassifier.Core.Models;
using CarClassifier.Core.Postprocessing;
using CarClassifier.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace CarClassifier.Core.Batching;

/// <summary>
/// Dynamic batcher: concurrent callers each submit one preprocessed image; a single loop gathers up to
/// <see cref="BatcherOptions.MaxBatchSize"/> of them (waiting at most <see cref="BatcherOptions.MaxDelay"/>
/// after the first arrives), runs the model once, and hands each caller its own prediction.
/// Callers decode while the model runs, so decoding and inference overlap; the bounded channel gives
/// back-pressure when the model falls behind. The input and output buffers are allocated once.
/// The delay is read from a <see cref="TimeProvider"/> (the system clock unless one is given), so tests drive it with
/// a fake clock instead of sleeping.
/// </summary>
public sealed class InferenceBatcher : IAsyncDisposable
{
    private readonly IBatchModel _model;
    private readonly IReadOnlyList<string> _labels;
    private readonly OutputKind _outputKind;
    private readonly BatcherOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<Pending> _channel;
    private readonly IMemoryOwner<float> _inputOwner;
    private readonly Memory<float> _input;
    private readonly float[] _output;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private int _disposed;

    /// <param name="time">The clock <see cref="BatcherOptions.MaxDelay"/> and the batch wait are measured on; null = <see cref="TimeProvider.System"/>.</param>
    public InferenceBatcher(IBatchModel model, IReadOnlyList<string> labels, OutputKind outputKind, BatcherOptions options, ILogger<InferenceBatcher> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBatchSize);
        if (labels.Count != model.ClassCount)
        {
            throw new ArgumentException($"The model has {model.ClassCount} classes but {labels.Count} labels were given.", nameof(labels));
        }

        _model = model;
        _labels = labels;
        _outputKind = outputKind;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        // Never-moving buffers: the model keeps OrtValues over them. The input comes from the model, which knows what it
        // reads fastest (page-locked memory under CUDA); the output is small and stays a pinned-heap array.
        _inputOwner = model.AllocateInput(options.MaxBatchSize * model.ImageLength);
        _input = _inputOwner.Memory;
        _output = GC.AllocateUninitializedArray<float>(options.MaxBatchSize * model.ClassCount, pinned: true);
        _channel = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.MaxBatchSize * 4)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(() => RunLoopAsync(_stopping.Token));
    }

    /// <summary>Floats one image must have.</summary>
    public int ImageLength => _model.ImageLength;

    /// <summary>Most images in one Run (the configured maximum, or 1 for a model with a fixed batch of 1).</summary>
    public int MaxBatchSize => _options.MaxBatchSize;

    /// <summary>
    /// Queues one preprocessed image and waits for its prediction. <paramref name="image"/> must stay
    /// unchanged until the returned task completes (it is copied into the batch buffer when its batch forms).
    /// </summary>
    public async Task<BatchPrediction> ClassifyAsync(ReadOnlyMemory<float> image, CancellationToken cancellationToken = default)
    {
        if (image.Length != _model.ImageLength)
        {
            throw new ArgumentException($"Expected {_model.ImageLength} floats, got {image.Length}.", nameof(image));
        }

        var pending = new Pending(image, _time.GetTimestamp());
        await _channel.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        using var registration = cancellationToken.Register(static p => ((Pending)p!).Completion.TrySetCanceled(), pending);
        return await pending.Completion.Task.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _channel.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected on shutdown.
        }

        while (_channel.Reader.TryRead(out var left))
        {
            left.Completion.TrySetException(new ObjectDisposedException(nameof(InferenceBatcher)));
        }

        _stopping.Dispose();
        _inputOwner.Dispose();
    }

    private async Task RunLoopAsync(CancellationToken stoppingToken)
    {
        var reader = _channel.Reader;
        var batch = new List<Pending>(_options.MaxBatchSize);
        while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            batch.Clear();
            if (!reader.TryRead(out var first)) continue;
            batch.Add(first);
            var deadline = first.Queued + (long)(_options.MaxDelay.TotalSeconds * _time.TimestampFrequency);
            while (batch.Count < _options.MaxBatchSize)
            {
                if (reader.TryRead(out var next))
                {
                    batch.Add(next);
                    continue;
                }

                var remaining = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
                if (remaining <= TimeSpan.Zero || !await WaitForMoreAsync(reader, remaining, stoppingToken).ConfigureAwait(false))
                {
                    break;
                }
            }

            RunBatch(batch);
        }
    }

    private async Task<bool> WaitForMoreAsync(ChannelReader<Pending> reader, TimeSpan remaining, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(remaining, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            return await reader.WaitToReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void RunBatch(List<Pending> batch)
    {
        // Callers that gave up are dropped before the Run, so they cost no inference.
        batch.RemoveAll(p => p.Completion.Task.IsCompleted);
        if (batch.Count == 0) return;

        var started = _time.GetTimestamp();
        var imageLength = _model.ImageLength;
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Image.Span.CopyTo(_input.Span.Slice(i * imageLength, imageLength));
        }

        TimeSpan elapsed;
        try
        {
            elapsed = _model.Run(_input, _output, batch.Count);
        }
        catch (Exception ex)
        {
            // The model failed as a whole (not one image's fault): every caller sees it and its message is retried.
            _logger.LogError(ex, "Inference failed for a batch of {Count} images", batch.Count);
            foreach (var p in batch) p.Completion.TrySetException(ex);
            return;
        }

        PipelineTelemetry.BatchSize.Record(batch.Count);
        PipelineTelemetry.InferenceDuration.Record(elapsed.TotalMilliseconds);
        var classCount = _model.ClassCount;
        for (var i = 0; i < batch.Count; i++)
        {
            var p = batch[i];
            var top = ScoreRanker.TopK(_output.AsSpan(i * classCount, classCount), _outputKind, _labels, _options.TopK);
            var wait = _time.GetElapsedTime(p.Queued, started);
            p.Completion.TrySetResult(new BatchPrediction(top, batch.Count, wait, elapsed));
        }

        _logger.LogDebug("Ran a batch of {Count} in {Milliseconds:F1} ms", batch.Count, elapsed.TotalMilliseconds);
    }

    private sealed class Pending(ReadOnlyMemory<float> image, long queued)
    {
        public ReadOnlyMemory<float> Image { get; } = image;

        public long Queued { get; } = queued;

        // RunContinuationsAsynchronously: callers' continuations must not run on the batch loop's thread.
        public TaskCompletionSource<BatchPrediction> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
