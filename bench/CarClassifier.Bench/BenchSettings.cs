using System.Globalization;
using CarClassifier.Core.Imaging;

namespace CarClassifier.Bench;

/// <summary>Command-line settings. Every option has a default, so a bare <c>carclass-bench</c> runs the full suite.</summary>
internal sealed class BenchSettings
{
    public static readonly string[] AllSections = ["decode", "pillow", "inference", "ort", "e2e", "azurite", "plumbing", "calls", "head"];

    /// <summary>
    /// Sections run only when named with --only: servicebus (both transports through Azurite and the tests' AMQP broker),
    /// isolated (the Functions app's worker driven over gRPC by a stand-in host; needs src/CarClassifier.Functions built).
    /// </summary>
    public static readonly string[] OptionalSections = ["servicebus", Isolated.IsolatedBench.Section];

    /// <summary>Small budgets and fewer repeats: a CI smoke run in well under a minute on 2 cores.</summary>
    public bool Quick { get; private set; }

    public string? JsonPath { get; private set; }

    public HashSet<string> Sections { get; private set; } = [.. AllSections];

    /// <summary>Model manifest for inference, e2e and azurite (the fp16 variant: models/resnet50-generated-fp16/manifest.json).</summary>
    public string ModelManifest { get; private set; } = "models/resnet50-generated/manifest.json";

    public string ModelCache { get; private set; } = ".models";

    /// <summary>cpu or cuda.</summary>
    public string Provider { get; private set; } = "cpu";

    public int[] Batches { get; private set; } = [1, 8, 32];

    /// <summary>Batch size of the end-to-end and Azurite runs (the issue's target is stated at 8).</summary>
    public int E2eBatch { get; private set; } = 8;

    /// <summary>Decoder implementations to measure (every one by default).</summary>
    public string[] Decoders { get; private set; } = [.. ImageDecoderFactory.Names];

    /// <summary>
    /// SkiaDecoder.MinimumOversample for the skia and turbojpeg decoders AND Pillow's draft rule (all do equal work);
    /// the decoder's default when not given.
    /// </summary>
    public double Oversample { get; private set; } = new SkiaDecoder().MinimumOversample;

    public int AzuritePort { get; private set; } = 10200;

    public int AzuriteImages { get; private set; } = 64;

    public string? PhotosFolder { get; private set; }

    /// <summary>Photos per plumbing run (after a warm-up of an eighth of that, 8 to 32).</summary>
    public int PlumbingImages { get; private set; } = 300;

    /// <summary>Uncounted warm-up images before a classify run (default: twice the counted images, at most 1600).</summary>
    public int? PlumbingWarmUp { get; private set; }

    public string[] PlumbingSizes { get; private set; } = ["640x480", "1920x1080"];

    /// <summary>classify (the blob trigger disabled, claim checks sent by the bench) and ingest (the classify function disabled).</summary>
    public string[] PlumbingModes { get; private set; } = ["classify", "ingest"];

    /// <summary>Names the host configuration in the report (e.g. "before", "logs on").</summary>
    public string PlumbingLabel { get; private set; } = "default";

    /// <summary>KEY=VALUE settings passed to the plumbing host's environment (e.g. Logging__LogLevel__Default=Information).</summary>
    public List<string> HostEnvironment { get; } = [];

    /// <summary>Where the plumbing section writes each host's console output (none by default).</summary>
    public string? HostLogFolder { get; private set; }

    /// <summary>
    /// Where the plumbing section writes a <c>perf record</c> sampling profile of the host over the measured window
    /// (none by default). The host runs with <c>DOTNET_PerfMapEnabled=1</c> so JIT-compiled frames get names.
    /// </summary>
    public string? ProfileFolder { get; private set; }

    /// <summary>The Service Bus worker the classify-servicebus mode runs (default: the Release build), e.g. a ReadyToRun publish.</summary>
    public string? WorkerDll { get; private set; }

    /// <summary>The carclass.dll the plumbing section runs (default: the one built beside the bench), e.g. a baseline build.</summary>
    public string? CliDll { get; private set; }

    /// <summary>Calls per storage operation in the calls section.</summary>
    public int CallCount { get; private set; } = 400;

    public int? RepeatsOverride { get; private set; }

    public double? BudgetOverride { get; private set; }

    public int Repeats => RepeatsOverride ?? (Quick ? 3 : 5);

    /// <summary>Repeats of the model-bound measurements (a ResNet-50 batch takes seconds on 2 CPU cores).</summary>
    public int ModelRepeats => RepeatsOverride ?? (Quick ? 2 : 5);

    /// <summary>Seconds per repeat for the cheap measurements (decoding).</summary>
    public TimeSpan DecodeBudget => TimeSpan.FromSeconds(BudgetOverride ?? (Quick ? 0.25 : 2.0));

    /// <summary>Seconds per repeat for inference (a batch of 32 takes over a second on 2 CPU cores).</summary>
    public TimeSpan InferenceBudget => TimeSpan.FromSeconds(BudgetOverride ?? (Quick ? 0.2 : 4.0));

    public TimeSpan Warmup => TimeSpan.FromSeconds(Quick ? 0.2 : 1.0);

    /// <summary>The command line, for the report.</summary>
    public string CommandLine { get; private set; } = "";

    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings { CommandLine = string.Join(' ', args) };
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--quick": settings.Quick = true; break;
                case "--json": settings.JsonPath = Value(); break;
                case "--only": settings.Sections = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]; break;
                case "--skip": settings.Sections.ExceptWith(Value().Split(',', StringSplitOptions.TrimEntries)); break;
                case "--model": settings.ModelManifest = Value(); break;
                case "--model-cache": settings.ModelCache = Value(); break;
                case "--provider": settings.Provider = Value().ToLowerInvariant(); break;
                case "--batches": settings.Batches = [.. Value().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))]; break;
                case "--e2e-batch": settings.E2eBatch = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--decoders": settings.Decoders = Value().Split(','); break;
                case "--oversample": settings.Oversample = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--azurite-port": settings.AzuritePort = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--azurite-images": settings.AzuriteImages = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--photos": settings.PhotosFolder = Value(); break;
                case "--plumbing-images": settings.PlumbingImages = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--plumbing-sizes": settings.PlumbingSizes = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--plumbing-modes": settings.PlumbingModes = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--plumbing-warmup": settings.PlumbingWarmUp = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--plumbing-label": settings.PlumbingLabel = Value(); break;
                case "--host-env":
                    var pair = Value();
                    if (pair.IndexOf('=', StringComparison.Ordinal) < 1) throw new ArgumentException($"--host-env needs KEY=VALUE, not '{pair}'.");
                    settings.HostEnvironment.Add(pair);
                    break;
                case "--host-log": settings.HostLogFolder = Value(); break;
                case "--worker-dll": settings.WorkerDll = Path.GetFullPath(Value()); break;
                case "--cli-dll": settings.CliDll = Path.GetFullPath(Value()); break;
                case "--plumbing-profile": settings.ProfileFolder = Value(); break;
                case "--calls": settings.CallCount = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--repeats": settings.RepeatsOverride = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--budget": settings.BudgetOverride = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "-h" or "--help": throw new HelpRequestedException();
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        var unknown = settings.Sections.Except(AllSections).Except(OptionalSections).ToArray();
        if (unknown.Length > 0) throw new ArgumentException($"Unknown section(s) {string.Join(", ", unknown)}; known: {string.Join(", ", AllSections.Concat(OptionalSections))}.");
        if (settings.PlumbingModes.Except(["classify", "ingest", PlumbingBench.ServiceBusMode, .. LocalHostBench.Modes]).Any())
        {
            throw new ArgumentException($"--plumbing-modes takes classify, ingest, {PlumbingBench.ServiceBusMode}, {string.Join(", ", LocalHostBench.Modes)}.");
        }

        if (settings.Provider is not ("cpu" or "cuda")) throw new ArgumentException("--provider must be cpu or cuda.");
        // Quick: a smoke run for CI (under a minute on 2 cores): no settings sweep, no host-CPU sections, no batch 32 unless asked.
        if (settings.Quick && !args.Contains("--batches")) settings.Batches = [1, settings.E2eBatch];
        if (settings.Quick && !args.Contains("--only")) settings.Sections.ExceptWith(["ort", "plumbing", "calls"]);
        if (!settings.Batches.Contains(settings.E2eBatch)) settings.Batches = [.. settings.Batches, settings.E2eBatch];
        if (settings.Quick && settings.AzuriteImages == 64) settings.AzuriteImages = 8;
        if (settings.Quick && !args.Contains("--plumbing-images")) settings.PlumbingImages = 40;
        if (settings.Quick && !args.Contains("--plumbing-sizes")) settings.PlumbingSizes = ["640x480"];
        if (settings.Quick && !args.Contains("--calls")) settings.CallCount = 40;
        return settings;
    }

    public const string Usage = """
        carclass-bench [--quick] [--json out.json] [--only decode,pillow,inference,ort,e2e,azurite,plumbing,calls,head] [--skip ...]
                       [--model models/resnet50-generated/manifest.json] [--provider cpu|cuda] [--batches 1,8,32]
                       [--e2e-batch 8] [--decoders imagesharp,skia,turbojpeg] [--oversample 1.0] [--azurite-port 10200] [--azurite-images 64]
                       [--photos ../shared/testdata/photos] [--repeats N] [--budget SECONDS]
                       [--plumbing-images 300] [--plumbing-warmup 600] [--plumbing-sizes 640x480,1920x1080] [--plumbing-modes classify,ingest,classify-servicebus,host,host-claimed]
                       [--plumbing-label NAME] [--host-env KEY=VALUE ...] [--host-log FOLDER] [--plumbing-profile FOLDER] [--worker-dll PATH] [--cli-dll PATH] [--calls 400]
        plumbing: host CPU per image of the real local host (carclass host) through Azurite; use --model models/color-tiny/manifest.json.
                  classify-servicebus (not in the default modes): the same classify path on the Service Bus worker host.
                  host / host-claimed (not in the default modes): the local host end to end, ingest included, both
                  functions and the reconciler on, every photo uploaded before it starts: by another means (the blob
                  trigger ingests) or claimed as carclass upload does. Host CPU from listening to the last row, at
                  --plumbing-images and at a ninth of it; the marginal cost per image is the difference.
                  --plumbing-sizes 224x224: the 640x480 photos at the model's input size, so decode costs ~0 and the
                  host's CPU per image is its plumbing.
                  --plumbing-profile: a perf sampling profile of the host over the measured window (needs perf;
                  read it with `perf report -i FOLDER/<run>.perf.data`); profiling adds a little CPU of its own.
        isolated (only with --only): the Functions app (isolated worker, built in Release) driven over the host's gRPC
                  contract by a stand-in host; worker CPU per ClassifyImages invocation. Takes the plumbing options
                  (--plumbing-sizes 224x224, --plumbing-images, --plumbing-warmup, --plumbing-label, --host-env).
        calls: CPU of each storage call the pipeline makes, one at a time, with the production client options.
        --photos: default ../shared/testdata/photos beside the checkout, else the repository's samples/images (a clone
                  alone: the same size classes, the largest upscaled, so not comparable with the documented numbers).
        Prints markdown tables and, with --json, writes every number with its spread and the machine it ran on.
        """;
}
