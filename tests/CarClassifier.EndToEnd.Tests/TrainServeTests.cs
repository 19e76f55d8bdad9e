using System.Text.Json;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Models;
using CarClassifier.Core.Results;
using CarClassifier.Core;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// Teach it your cars, end to end: <c>carclass train</c> on the in-repo demo set with the offline ResNet-18 base,
/// <c>carclass evaluate</c> in JSON and HTML (rendered in headless Chromium), <c>carclass model info</c>, then the
/// trained manifest served unchanged by the real local host through Azurite: every row carries the trained labels and
/// the trained model's identity.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TrainServeTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly TimeSpan RowTimeout = TimeSpan.FromSeconds(120);
    private readonly string _temp = Directory.CreateTempSubdirectory("carclass-train-").FullName;
    private string? _trainedWeights;

    private static string Samples => Path.Combine(RepoPaths.Root, "samples", "labelled", "vehicle_types");

    // The repository's cache, so the ResNet-18 prepared from NuGet is built once per machine.
    private static string Cache => Path.Combine(RepoPaths.Root, ".models");

    [Fact]
    public async Task TrainEvaluateServe_DemoSet_RowsCarryTheTrainedLabelsAndIdentity()
    {
        HeadlessChromium.Require();
        var outDir = Path.Combine(_temp, "vehicles");

        // Train.
        var train = await CliRunner.RunAsync("train", "--data", Samples, "--base", "resnet18-imagenet-features", "--frozen", "--out", outDir, "--cache", Cache);
        Assert.True(train.ExitCode == ExitCodes.Success, train.Output);
        var manifestPath = Path.Combine(outDir, "manifest.json");
        var manifest = await ModelManifest.LoadAsync(manifestPath);
        _trainedWeights = Path.Combine(Cache, manifest.File);
        var labels = await ModelStore.LoadLabelsAsync(manifestPath);
        Assert.Equal(["bike", "car", "juggernaut", "minibus", "pickup", "truck"], labels);
        Assert.Equal([-1, 6], manifest.Output.Shape);
        Assert.Equal(OutputKind.Probabilities, manifest.Output.Kind);
        Assert.Empty(Directory.GetFiles(outDir, "*.onnx"));
        Assert.Equal(manifest.Sha256, await ModelStore.ComputeSha256Async(Path.Combine(Cache, manifest.File)));

        // Evaluate as JSON: fractions in [0, 1], one entry per class; on its own training photos it must be nearly perfect.
        var evaluate = await CliRunner.RunAsync("evaluate", "--model", manifestPath, "--data", Samples, "--format", "json", "--cache", Cache);
        Assert.True(evaluate.ExitCode == ExitCodes.Success, evaluate.Output);
        using var json = JsonDocument.Parse(evaluate.Output);
        var top1 = json.RootElement.GetProperty("top1").GetDouble();
        var top5 = json.RootElement.GetProperty("top5").GetDouble();
        Assert.InRange(top1, 0.9, 1.0);
        Assert.InRange(top5, top1, 1.0);
        Assert.Equal(6, json.RootElement.GetProperty("perClass").GetArrayLength());
        Assert.Equal(72, json.RootElement.GetProperty("images").GetInt32());

        // These are the training photos: evaluate says so (the model's provenance holds their sha256).
        Assert.Equal(72, json.RootElement.GetProperty("seenInTraining").GetInt32());
        Assert.Contains("were in this model's training data", json.RootElement.GetProperty("warnings")[0].GetString(), StringComparison.Ordinal);

        // Evaluate as HTML, checked in a real browser.
        var pageDir = Path.Combine(_temp, "evaluation");
        var html = await CliRunner.RunAsync("evaluate", "--model", manifestPath, "--data", Samples, "--format", "html", "--out", pageDir, "--cache", Cache);
        Assert.True(html.ExitCode == ExitCodes.Success, html.Output);
        var dom = await HeadlessChromium.RunAsync(new Uri(Path.Combine(pageDir, "index.html")).AbsoluteUri, "--dump-dom");
        Assert.Contains("id=\"top1\"", dom, StringComparison.Ordinal);
        Assert.Contains("id=\"confusion\"", dom, StringComparison.Ordinal);
        Assert.Contains("id=\"warnings\"", dom, StringComparison.Ordinal);
        Assert.Contains("juggernaut", dom, StringComparison.Ordinal);

        // model info shows where it came from.
        var info = await CliRunner.RunAsync("model", "info", manifestPath, "--cache", Cache);
        Assert.Equal(ExitCodes.Success, info.ExitCode);
        Assert.Contains("dataFingerprint", info.Output, StringComparison.Ordinal);
        Assert.Contains("resnet18-imagenet-features@0.23.1", info.Output, StringComparison.Ordinal);

        // Serve it unchanged through the real host and Azurite.
        await using var pipeline = await PipelineHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Classifier:ModelManifest"] = manifestPath,
            ["Classifier:ModelCacheDirectory"] = Cache,
        });
        var prefix = $"trained-{Guid.NewGuid():N}/";
        var truth = new Dictionary<string, string>();
        foreach (var label in labels)
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Samples, label)).Order(StringComparer.Ordinal).Take(2))
            {
                var blobName = $"{prefix}{label}-{Path.GetFileName(file)}";
                await pipeline.Images.GetBlobClient(blobName).UploadAsync(file);
                truth[ResultKeys.BlobPath(PipelineNames.ImagesContainer, blobName)] = label;
            }
        }

        await pipeline.StartAsync();
        var rows = await pipeline.WaitForRowsAsync(truth.Keys, RowTimeout);
        Assert.All(rows.Values, row =>
        {
            Assert.Equal(nameof(ClassificationStatus.Succeeded), row.Status);
            Assert.Equal(manifest.Identity, row.Model);
            Assert.Contains(row.Label!, labels);
        });
        Assert.True(rows.Count(r => r.Value.Label == truth[r.Key]) >= 11, string.Join(", ", rows.Select(r => $"{r.Key}: {r.Value.Label}")));
    }

    [Fact]
    public async Task Train_BadDataOrArguments_ExitsTwoWithOneClearLine()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_temp, "empty")).FullName;
        var oneClass = Path.Combine(_temp, "one-class");
        Directory.CreateDirectory(Path.Combine(oneClass, "car"));
        foreach (var file in Directory.GetFiles(Path.Combine(Samples, "car")).Take(2)) File.Copy(file, Path.Combine(oneClass, "car", Path.GetFileName(file)));

        var noClasses = await CliRunner.RunAsync("train", "--data", empty, "--base", "resnet18-imagenet-features", "--out", Path.Combine(_temp, "o1"));
        var single = await CliRunner.RunAsync("train", "--data", oneClass, "--base", "resnet18-imagenet-features", "--out", Path.Combine(_temp, "o2"));
        var noOut = await CliRunner.RunAsync("train", "--data", oneClass);
        var badBase = await CliRunner.RunAsync("train", "--data", Samples, "--base", "no-such-model", "--out", Path.Combine(_temp, "o3"));

        Assert.Equal(ExitCodes.Usage, noClasses.ExitCode);
        Assert.Contains("no class sub-folders", noClasses.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, single.ExitCode);
        Assert.Contains("only one class ('car')", single.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, noOut.ExitCode);
        Assert.Contains("--out is required", noOut.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, badBase.ExitCode);
        Assert.Contains("No model named 'no-such-model'", badBase.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_temp, "o1")) || Directory.Exists(Path.Combine(_temp, "o2")) || Directory.Exists(Path.Combine(_temp, "o3")));
    }

    [Fact]
    public async Task Evaluate_ClassFolderThatIsNotALabel_ExitsTwoBeforeDecodingAnything()
    {
        // color-tiny's labels are colours; a "car" folder cannot be scored against them.
        var data = Path.Combine(_temp, "eval");
        Directory.CreateDirectory(Path.Combine(data, "car"));
        File.Copy(Directory.GetFiles(Path.Combine(Samples, "car"))[0], Path.Combine(data, "car", "a.jpg"));

        var result = await CliRunner.RunAsync("evaluate", "--model", Path.Combine(RepoPaths.Models, "color-tiny", "manifest.json"), "--data", data, "--cache", Path.Combine(_temp, "cache"));
        var html = await CliRunner.RunAsync("evaluate", "--model", "color-tiny", "--data", data, "--format", "html");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("class folder 'car' is not among model 'color-tiny''s 8 labels", result.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_temp, "cache")));
        Assert.Equal(ExitCodes.Usage, html.ExitCode);
        Assert.Contains("--format html needs --out", html.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        // The trained weights went to the shared model cache; remove them so test runs do not pile up 64 MB files.
        if (_trainedWeights is not null) File.Delete(_trainedWeights);
        try
        {
            Directory.Delete(_temp, recursive: true);
        }
        catch (IOException)
        {
            // Temp folder; best effort.
        }
    }
}
