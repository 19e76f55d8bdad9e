using System.Diagnostics;
using CarClassifier.Bench;
using Microsoft.Extensions.Logging;

// Benchmarks: decode (ours and Pillow's), inference, ONNX Runtime settings, end to end in process, and through
// Azurite. Prints markdown tables; --json writes every number with its spread and the machine it ran on.
BenchSettings settings;
try
{
    settings = BenchSettings.Parse(args);
}
catch (HelpRequestedException)
{
    Console.WriteLine(BenchSettings.Usage);
    return 0;
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchSettings.Usage);
    return 2;
}

var total = Stopwatch.StartNew();
var notes = new List<string>();
void Note(string message)
{
    notes.Add(message);
    Console.Error.WriteLine($"[{total.Elapsed.TotalSeconds,5:F1}s] {message}");
}

var machine = Report.Machine(settings, Report.LoadAverage());
using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
var photosFolder = settings.PhotosFolder ?? PhotoSet.DefaultFolder();
var photos = PhotoSet.Load(photosFolder);
machine["photos"] = photosFolder;
if (settings.PhotosFolder is null && !photosFolder.Contains(Path.Combine("shared", "testdata"), StringComparison.Ordinal))
{
    Note($"No ../shared/testdata/photos beside this checkout: using the repository's {photosFolder} (4032x3024 upscaled from 1920x1080; not comparable with the documented numbers).");
}

Note($"Photos: {string.Join(", ", photos.Select(p => $"{p.Name} x{p.Files.Count} ({p.Files.Count(f => f.Generated)} resized)"))}");

var results = new List<BenchResult>();
if (settings.Sections.Contains("decode"))
{
    results.AddRange(DecodeBench.Run(settings, photos, Note));
    Note("decode done");
}

if (settings.Sections.Contains("pillow"))
{
    results.AddRange(PillowBench.Run(settings, photos, Note));
    Note("pillow done");
}

if (settings.Sections.Contains("head"))
{
    results.AddRange(HeadBench.Run(settings, Note));
    Note("head done");
}

var needsModel = settings.Sections.Overlaps(["inference", "ort", "e2e", "azurite", "plumbing", "servicebus", CarClassifier.Bench.Isolated.IsolatedBench.Section]);
if (needsModel)
{
    var model = await BenchModel.LoadAsync(settings, CancellationToken.None);
    Note($"Model {model.Manifest.Identity} at {model.ModelPath}");
    if (settings.Sections.Contains("inference") || settings.Sections.Contains("e2e"))
    {
        results.AddRange(InferenceBench.Run(settings, model, photos, loggers));
        Note("inference done");
    }

    if (settings.Sections.Contains("ort"))
    {
        results.AddRange(InferenceBench.Sweep(settings, model, photos, loggers).Select(r => r with { Section = "ort" }));
        Note("ort settings done");
    }

    if (settings.Sections.Contains("e2e"))
    {
        results.AddRange(EndToEndBench.Run(settings, model, photos, results, loggers));
        Note("e2e done");
    }

    if (settings.Sections.Contains("azurite"))
    {
        results.AddRange(await AzuriteBench.RunAsync(settings, model, photos, Note, CancellationToken.None));
        Note("azurite done");
    }

    if (settings.Sections.Contains("servicebus"))
    {
        results.AddRange(await ServiceBusBench.RunAsync(settings, model, photos, Note, CancellationToken.None));
        Note("servicebus done");
    }

    if (settings.Sections.Contains("plumbing"))
    {
        results.AddRange(await PlumbingBench.RunAsync(settings, model, photos, Note, CancellationToken.None));
        Note("plumbing done");
    }

    if (settings.Sections.Contains(CarClassifier.Bench.Isolated.IsolatedBench.Section))
    {
        results.AddRange(await CarClassifier.Bench.Isolated.IsolatedBench.RunAsync(settings, model, photos, Note, CancellationToken.None));
        Note("isolated done");
    }

    if (model.ProviderUsed is { } used && !string.Equals(used.ToString(), settings.Provider, StringComparison.OrdinalIgnoreCase))
    {
        // Say it where the numbers are: a CPU number labelled "cuda" is worse than none.
        machine["provider"] = $"{used.ToString().ToLowerInvariant()}: {settings.Provider} was requested but unavailable";
        Note($"WARNING: the {settings.Provider} provider was unavailable; every model number here ran on {used}.");
    }
}

if (settings.Sections.Contains("calls"))
{
    results.AddRange(await StorageCallBench.RunAsync(settings, photos, Note, CancellationToken.None));
    Note("calls done");
}

machine["loadAverageAfter"] = Report.LoadAverage();
machine["totalSeconds"] = total.Elapsed.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
Console.WriteLine(Report.Markdown(results, machine));
if (settings.JsonPath is not null)
{
    await File.WriteAllTextAsync(settings.JsonPath, Report.Json(results, machine, notes));
    Note($"JSON written to {settings.JsonPath}");
}

Note($"total {total.Elapsed.TotalSeconds:F1} s");
return 0;
