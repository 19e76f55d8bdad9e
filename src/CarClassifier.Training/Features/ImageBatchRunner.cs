using System.Diagnostics;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Imaging;
using CarClassifier.Core.Inference;
using CarClassifier.Core.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace CarClassifier.Training.Features;

/// <summary>
/// Runs a model over image files through exactly the serving path: the configured <see cref="IImageDecoder"/> with the
/// manifest's recipe and the serving limits, then <see cref="ModelSession"/> in batches. Training features and
/// evaluation scores therefore see the same tensors the pipeline would, so there is no train/serve skew to measure.
/// With <c>flips</c> each image also runs mirrored left to right (the augmentation), in the same batch.
/// </summary>
public sealed class ImageBatchRunner : IDisposable
{
    private readonly ModelSession _session;
    private readonly IImageDecoder _decoder;
    private readonly PreprocessRecipe _recipe;
    private readonly ImageLimits _limits;
    private readonly int _batchSize;

    public ImageBatchRunner(string modelPath, ModelManifest manifest, ClassifierOptions options, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _decoder = ImageDecoderFactory.Create(options.Decoder);
        _recipe = manifest.Preprocess;
        _limits = options.ToImageLimits();
        _batchSize = batchSize;
        _session = new ModelSession(modelPath, manifest, options, NullLogger<ModelSession>.Instance);
    }

    public string DecoderName => _decoder.Name;

    /// <summary>Width of one output row (features or classes).</summary>
    public int OutputWidth => _session.ClassCount;

    /// <summary>
    /// Runs every file; <c>Outputs[i]</c> holds the row for <paramref name="files"/>[i] followed, with flips, by the row
    /// for its mirror image, or is null when the file failed to decode (its reason is in <c>Failures</c>).
    /// </summary>
    public async Task<BatchRunResult> RunAsync(
        IReadOnlyList<string> files, bool flips, IProgress<RunProgress>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        var perImage = flips ? 2 : 1;
        var imageLength = _session.ImageLength;
        var width = _session.ClassCount;
        var input = new float[_batchSize * perImage * imageLength];
        var output = new float[_batchSize * perImage * width];
        var outputs = new float[]?[files.Count];
        var failures = new Dictionary<int, string>();
        var started = Stopwatch.GetTimestamp();
        var inference = TimeSpan.Zero;
        var tensors = 0;

        for (var start = 0; start < files.Count; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(_batchSize, files.Count - start);
            var ok = new bool[count];
            var reasons = new string?[count];
            await Parallel.ForAsync(0, count, cancellationToken, async (i, ct) =>
            {
                try
                {
                    var bytes = await File.ReadAllBytesAsync(files[start + i], ct).ConfigureAwait(false);
                    var slot = input.AsMemory(i * perImage * imageLength, imageLength);
                    _decoder.DecodeInto(bytes, _recipe, _limits, slot.Span);
                    if (flips) MirrorInto(slot.Span, input.AsSpan(((i * perImage) + 1) * imageLength, imageLength), _recipe);
                    ok[i] = true;
                }
                catch (ImageRejectedException ex)
                {
                    reasons[i] = ex.Message;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    reasons[i] = $"cannot be read: {ex.Message}";
                }
            }).ConfigureAwait(false);

            // Failed slots still run (their tensor is whatever was there); their rows are simply not kept.
            inference += _session.Run(input, output, count * perImage);
            tensors += count * perImage;
            for (var i = 0; i < count; i++)
            {
                if (!ok[i])
                {
                    failures[start + i] = reasons[i] ?? "could not be decoded";
                    continue;
                }

                outputs[start + i] = output.AsSpan(i * perImage * width, perImage * width).ToArray();
            }

            progress?.Report(new RunProgress(start + count, files.Count, Stopwatch.GetElapsedTime(started)));
        }

        return new BatchRunResult(outputs, failures, Stopwatch.GetElapsedTime(started), inference, tensors);
    }

    public void Dispose() => _session.Dispose();

    /// <summary>Writes the left-right mirror of one preprocessed image (either layout) into <paramref name="destination"/>.</summary>
    internal static void MirrorInto(ReadOnlySpan<float> source, Span<float> destination, PreprocessRecipe recipe)
    {
        int width = recipe.CropWidth;
        int height = recipe.CropHeight;
        if (recipe.Layout == TensorLayout.Nchw)
        {
            for (int row = 0; row < 3 * height; row++)
            {
                var from = source.Slice(row * width, width);
                var to = destination.Slice(row * width, width);
                for (int x = 0; x < width; x++) to[x] = from[width - 1 - x];
            }

            return;
        }

        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                source.Slice(((y * width) + width - 1 - x) * 3, 3).CopyTo(destination.Slice(((y * width) + x) * 3, 3));
            }
        }
    }
}
