using System.ComponentModel.DataAnnotations;
using CarClassifier.Core.Imaging;

namespace CarClassifier.Core.Configuration;

/// <summary>
/// Every knob of the pipeline, bound once from the <c>Classifier</c> configuration section and shared
/// by the Functions app, the local WebJobs host, the CLI and the tests. Queue, container and table
/// names are constants in <see cref="PipelineNames"/> because trigger attributes need constants.
/// </summary>
public sealed class ClassifierOptions : IValidatableObject
{
    public const string SectionName = PipelineNames.OptionsSection;

    /// <summary>Path of the model manifest (absolute, or relative to the app's base directory / current directory).</summary>
    [Required]
    public string ModelManifest { get; set; } = "models/resnet50-v1-12/manifest.json";

    /// <summary>Folder the model weights are downloaded to or generated in.</summary>
    [Required]
    public string ModelCacheDirectory { get; set; } = ".models";

    /// <summary>Download missing weights from the manifest's pinned source.</summary>
    public bool AllowModelDownload { get; set; } = true;

    /// <summary>
    /// Generate missing weights for manifests that name a generator. Off by default (the Functions app never generates);
    /// the local host and tests turn it on and register the generator (CarClassifier.ModelGeneration).
    /// </summary>
    public bool AllowModelGeneration { get; set; }

    /// <summary>
    /// Image decoder: "turbojpeg" (the system's SIMD libjpeg-turbo for JPEGs, skia for the rest and wherever the
    /// library is missing), "skia" (SkiaSharp alone) or "imagesharp" (managed). Measured in docs/PERFORMANCE.md.
    /// </summary>
    [Required]
    public string Decoder { get; set; } = TurboJpegDecoder.DecoderName;

    /// <summary>Most images in one ONNX Run.</summary>
    [Range(1, 1024)]
    public int MaxBatchSize { get; set; } = 16;

    /// <summary>How long the first image of a batch waits for company before the batch runs anyway.</summary>
    [Range(0, 10_000)]
    public int MaxBatchDelayMilliseconds { get; set; } = 20;

    /// <summary>Blobs larger than this are rejected with a Failed row, without being downloaded.</summary>
    [Range(1, long.MaxValue)]
    public long MaxBlobBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Largest width x height accepted, read from the header before pixels are allocated.</summary>
    [Range(1, long.MaxValue)]
    public long MaxPixels { get; set; } = 50_000_000;

    /// <summary>Largest width or height accepted.</summary>
    [Range(1, int.MaxValue)]
    public int MaxDimension { get; set; } = 20_000;

    /// <summary>Most scans a JPEG may have (progressive files split into hundreds of scans are a decoding-time attack).</summary>
    [Range(1, int.MaxValue)]
    public int MaxJpegScans { get; set; } = 500;

    /// <summary>
    /// Most bytes of metadata (EXIF, ICC, XMP, text) handed to a decoder; more is stripped first (TIFF: refused), see
    /// <see cref="ImageLimits.MaxMetadataBytes"/>. The classifier reads only the EXIF orientation, with bounded work.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxMetadataBytes { get; set; } = 1024 * 1024;

    /// <summary>Most metadata segments or chunks a file may have (<see cref="ImageLimits.MaxMetadataSegments"/>); more is refused.</summary>
    [Range(1, int.MaxValue)]
    public int MaxMetadataSegments { get; set; } = 1000;

    /// <summary>
    /// Deliveries of a work-queue message before the queue moves it to the poison queue: host.json's
    /// <c>extensions:queues:maxDequeueCount</c>, which both hosts apply (<see cref="Messaging.QueueRetrySettings"/> copies it here).
    /// On the last delivery a blob that still has no row gets a Failed row of kind Poisoned.
    /// </summary>
    [Range(1, 1000)]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Most width x height x scans a JPEG may cost (the decode work, not only the scan count).</summary>
    [Range(1, long.MaxValue)]
    public long MaxJpegScanPixels { get; set; } = 3_000_000_000;

    /// <summary>
    /// Bytes the decode stage may hold at once across all messages in flight (blob buffers plus each decoder's estimated
    /// need, <see cref="DecodeMemoryEstimate"/>); a decode waits while the budget is spent. 0 (default):
    /// <see cref="DecodeMemoryBudgetPercent"/> of the container's memory limit (cgroup <c>memory.max</c>) or, without one,
    /// of the machine's memory. An image needing more than the whole budget is decoded alone.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long DecodeMemoryBudgetBytes { get; set; }

    /// <summary>With <see cref="DecodeMemoryBudgetBytes"/> 0: the share of the memory limit the decode stage may hold.</summary>
    [Range(1, 90)]
    public int DecodeMemoryBudgetPercent { get; set; } = 25;

    /// <summary>Smallest explicit budget: one 12-megapixel PNG needs about 55 MB.</summary>
    public const long MinDecodeMemoryBudgetBytes = 64L * 1024 * 1024;

    /// <summary>The decode budget in bytes, and how it was chosen (for the start-up log line).</summary>
    public (long Bytes, string Source) ResolveDecodeMemoryBudget()
    {
        if (DecodeMemoryBudgetBytes > 0)
        {
            return (DecodeMemoryBudgetBytes, $"{SectionName}:{nameof(DecodeMemoryBudgetBytes)}");
        }

        var (limit, source) = ContainerMemory.Limit();
        return (Math.Max(MinDecodeMemoryBudgetBytes, limit / 100 * DecodeMemoryBudgetPercent), $"{DecodeMemoryBudgetPercent}% of {limit} bytes ({source})");
    }

    /// <summary>Accepted image formats; anything else gets a Failed row naming its format.</summary>
    public List<ImageFormat> AcceptedFormats { get; set; } = [];

    /// <summary>ONNX Runtime execution provider: Cpu or Cuda.</summary>
    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>
    /// With <see cref="ExecutionProvider"/> Cuda: stop the host at start when the CUDA provider does not load, instead of
    /// warning and running on the CPU. On a GPU deployment a silent CPU fallback keeps billing the GPU while running
    /// ~50x slower, so infra/app/classifier.bicep turns this on for the GPU profiles (docs/DEPLOY.md).
    /// </summary>
    public bool RequireCuda { get; set; }

    /// <summary>CUDA device ordinal when <see cref="ExecutionProvider"/> is Cuda.</summary>
    [Range(0, 64)]
    public int CudaDeviceId { get; set; }

    /// <summary>
    /// cuDNN convolution algorithm search when <see cref="ExecutionProvider"/> is Cuda: EXHAUSTIVE (benchmarks every
    /// algorithm once per shape: slowest first batch, fastest after), HEURISTIC or DEFAULT.
    /// </summary>
    [RegularExpression("^(EXHAUSTIVE|HEURISTIC|DEFAULT)$")]
    public string CudaConvAlgoSearch { get; set; } = "EXHAUSTIVE";

    /// <summary>Ask the CUDA provider for NHWC convolutions (Tensor Core layout); ignored, with a log line, by builds without them.</summary>
    public bool CudaPreferNhwc { get; set; } = true;

    /// <summary>
    /// Let ONNX Runtime's intra-op threads spin while waiting for work. Spinning shaves latency off a lone Run but
    /// burns the cores that decoding needs between Runs; see docs/PERFORMANCE.md for the measurement.
    /// </summary>
    public bool IntraOpSpinning { get; set; } = true;

    /// <summary>ONNX Runtime intra-op threads; 0 lets ONNX Runtime use one per physical core.</summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; set; }

    /// <summary>Number of classes written to the row's top-k JSON.</summary>
    [Range(1, 100)]
    public int TopK { get; set; } = 5;

    /// <summary>
    /// The queue between ingest and classifier: StorageQueue (default) or ServiceBus (<c>ServiceBusConnection</c> names the
    /// namespace). docs/ARCHITECTURE.md says when to choose which.
    /// </summary>
    public Messaging.ServiceBus.MessageTransport Transport { get; set; }

    /// <summary>Create the container, queues and table at start (local runs). In Azure, Bicep creates them.</summary>
    public bool CreateStorageResources { get; set; }

    /// <summary>The limits handed to the image decoders.</summary>
    public ImageLimits ToImageLimits() => new()
    {
        MaxPixels = MaxPixels,
        MaxDimension = MaxDimension,
        MaxJpegScans = MaxJpegScans,
        MaxJpegScanPixels = MaxJpegScanPixels,
        MaxMetadataBytes = MaxMetadataBytes,
        MaxMetadataSegments = MaxMetadataSegments,
        AcceptedFormats = AcceptedFormats.Count == 0
            ? ImageLimits.Default.AcceptedFormats
            : AcceptedFormats.ToHashSet(),

        // Rejections name the setting to change; the limits' names are these options' names.
        SettingPrefix = SectionName + ":",
    };

    /// <summary>Checks what attributes cannot: a decoder name typo must stop the host at start, not fail every message.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!ImageDecoderFactory.Names.Contains(Decoder, StringComparer.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"Unknown image decoder '{Decoder}' ({PipelineNames.OptionsSection}:{nameof(Decoder)}). Known decoders: {string.Join(", ", ImageDecoderFactory.Names)}.",
                [nameof(Decoder)]);
        }

        if (DecodeMemoryBudgetBytes is > 0 and < MinDecodeMemoryBudgetBytes)
        {
            yield return new ValidationResult(
                $"{PipelineNames.OptionsSection}:{nameof(DecodeMemoryBudgetBytes)} is {DecodeMemoryBudgetBytes} bytes; use 0 (a share of the memory limit) or at least {MinDecodeMemoryBudgetBytes} bytes (64 MiB).",
                [nameof(DecodeMemoryBudgetBytes)]);
        }
    }
}
