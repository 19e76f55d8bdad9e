using System.Buffers;
using CarClassifier.Core.Batching;
using CarClassifier.Core.Imaging;

namespace CarClassifier.Bench;

/// <summary>
/// JPEG bytes in memory -> decoded on <c>decodeWorkers</c> threads -> the production <see cref="InferenceBatcher"/>
/// -> top-k results. Decoding overlaps inference: a worker hands its tensor to the batcher and decodes the next
/// image without waiting for the prediction. Back-pressure: at most <c>maxInFlight</c> decoded tensors wait for
/// the model (a semaphore), and the batcher's own bounded channel; tensors come from a pool, so nothing per image
/// is allocated beyond the batcher's small bookkeeping and the result.
/// </summary>
internal sealed class InProcessPipeline(IImageDecoder decoder, PreprocessRecipe recipe, InferenceBatcher batcher, int decodeWorkers, int maxInFlight)
{
    private readonly ArrayPool<float> _tensors = ArrayPool<float>.Create(recipe.ImageTensorLength, maxInFlight + decodeWorkers);

    /// <summary>Classifies <paramref name="count"/> images taken round-robin from <paramref name="images"/>; returns how many got a prediction.</summary>
    public async Task<int> RunAsync(IReadOnlyList<byte[]> images, int count, CancellationToken cancellationToken)
    {
        using var inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
        var next = -1;
        var done = 0;
        var pending = new List<Task>[decodeWorkers];
        var workers = Enumerable.Range(0, decodeWorkers).Select(w => Task.Run(
            async () =>
            {
                var mine = pending[w] = [];
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
                    var tensor = _tensors.Rent(recipe.ImageTensorLength);
                    try
                    {
                        decoder.DecodeInto(images[i % images.Count], recipe, ImageLimits.Default, tensor);
                    }
                    catch
                    {
                        _tensors.Return(tensor);
                        inFlight.Release();
                        throw;
                    }

                    mine.Add(ClassifyAsync(tensor));
                }

                await Task.WhenAll(mine).ConfigureAwait(false);
            },
            cancellationToken)).ToArray();

        await Task.WhenAll(workers).ConfigureAwait(false);
        return done;

        async Task ClassifyAsync(float[] tensor)
        {
            try
            {
                var prediction = await batcher.ClassifyAsync(tensor.AsMemory(0, recipe.ImageTensorLength), cancellationToken).ConfigureAwait(false);
                if (prediction.TopK.Length > 0) Interlocked.Increment(ref done);
            }
            finally
            {
                _tensors.Return(tensor);
                inFlight.Release();
            }
        }
    }
}
