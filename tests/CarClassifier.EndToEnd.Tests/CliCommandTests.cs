using System.Text.Json;
using System.Text.RegularExpressions;
using CarClassifier.Cli.Commands.Report;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Results;
using CarClassifier.Core.Vehicles;
using CarClassifier.Functions.Http;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>Every user command against the test Azurite, the real local host and a real headless browser.</summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class CliCommandTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("carclass-cli-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string[] Args(params string[] args) => [.. args, "--connection", azurite.ConnectionString];

    private string WriteFolder(string name, IEnumerable<(string File, byte[] Bytes)> files)
    {
        var folder = Path.Combine(_temp, name);
        foreach (var (file, bytes) in files)
        {
            var path = Path.Combine(folder, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }

        return folder;
    }

    [Fact]
    public async Task Upload_RunTwice_SkipsUnchangedFiles_AndSendsOnlyTheChangedOne()
    {
        var prefix = $"resume-{Guid.NewGuid():N}/";
        var folder = WriteFolder("resume", TestImages.Colours.Take(3).Select(c => ($"sub/{c.Key}.png", TestImages.SolidPng(c.Value))));

        var first = await CliRunner.RunAsync(Args("upload", folder, "--prefix", prefix));
        var second = await CliRunner.RunAsync(Args("upload", folder, "--prefix", prefix));
        File.WriteAllBytes(Path.Combine(folder, "sub", "red.png"), TestImages.SolidPng(TestImages.Colours["blue"], 64, 64));
        var third = await CliRunner.RunAsync(Args("upload", folder, "--prefix", prefix));

        Assert.Equal((ExitCodes.Success, ExitCodes.Success, ExitCodes.Success), (first.ExitCode, second.ExitCode, third.ExitCode));
        Assert.Contains("3 uploaded", first.Output, StringComparison.Ordinal);
        Assert.Contains("0 uploaded", second.Output, StringComparison.Ordinal);
        Assert.Contains("3 unchanged", second.Output, StringComparison.Ordinal);
        Assert.Contains("1 uploaded", third.Output, StringComparison.Ordinal);
        Assert.Contains("2 unchanged", third.Output, StringComparison.Ordinal);
        var images = new PipelineHostlessStorage(azurite).Images;
        Assert.True(await images.GetBlobClient($"{prefix}sub/green.png").ExistsAsync());
    }

    [Fact]
    public async Task Upload_MissingFolder_IsAUsageError()
    {
        var (exit, output) = await CliRunner.RunAsync(Args("upload", Path.Combine(_temp, "nope")));

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("Folder not found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_BlobsWithoutRows_TimesOut()
    {
        var prefix = $"nohost-{Guid.NewGuid():N}/";
        var folder = WriteFolder("nohost", [("a.png", TestImages.SolidPng(TestImages.Colours["red"]))]);
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(Args("upload", folder, "--prefix", prefix))).ExitCode);

        var (exit, output) = await CliRunner.RunAsync(Args("watch", "--prefix", prefix, "--timeout", "2", "--interval", "200"));

        Assert.Equal(ExitCodes.TimedOut, exit);
        Assert.Contains("0 of 1 have a row", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Results_PrefixWithNoRows_ExitsNoResults()
    {
        var (exit, output) = await CliRunner.RunAsync(Args("results", "--prefix", $"empty-{Guid.NewGuid():N}/"));

        Assert.Equal(ExitCodes.NoResults, exit);
        Assert.Contains("No results", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadWatchResultsReport_AgainstTheRunningPipeline_ShowEveryRowAndRenderInABrowser()
    {
        HeadlessChromium.Require();
        var prefix = $"flow-{Guid.NewGuid():N}/";
        const string weird = "weird <b>&\"quote'</b>.png";
        var files = TestImages.Colours.Select(c => ($"{c.Key}.png", TestImages.SolidPng(c.Value))).ToList();
        files.Add(("corrupt.jpg", TestImages.CorruptJpeg()));
        files.Add((weird, TestImages.SolidPng(TestImages.Colours["red"])));
        var folder = WriteFolder("flow", files);
        var total = files.Count;

        // Upload first, then start the host (its start-up sweep sees every blob; see PipelineHost).
        var upload = await CliRunner.RunAsync(Args("upload", folder, "--prefix", prefix));
        Assert.Equal(ExitCodes.Success, upload.ExitCode);
        await using var pipeline = await PipelineHost.CreateAsync(azurite);
        await pipeline.StartAsync();

        var watch = await CliRunner.RunAsync(Args("watch", "--prefix", prefix, "--timeout", "120", "--interval", "250"));
        Assert.True(watch.ExitCode == ExitCodes.SomeFailed, watch.Output);
        Assert.Contains($"All {total} images have a row: {total - 1} classified, 1 failed", watch.Output, StringComparison.Ordinal);

        // JSON: every row, in the API's shape.
        var json = await CliRunner.RunAsync(Args("results", "--prefix", prefix, "--format", "json"));
        Assert.Equal(ExitCodes.Success, json.ExitCode);
        var views = JsonSerializer.Deserialize<List<ResultView>>(json.Output, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(total, views.Count);
        Assert.Equal("green", views.Single(v => v.BlobName == $"{prefix}green.png").Label);
        Assert.Equal("red", views.Single(v => v.BlobName == prefix + weird).Label);
        Assert.Equal("Corrupt", views.Single(v => v.BlobName == $"{prefix}corrupt.jpg").ErrorKind);
        Assert.All(views.Where(v => v.Succeeded), v => Assert.NotEmpty(v.TopK));
        Assert.All(views, v => Assert.Null(v.VehicleType)); // the colour model has no vehicle map

        // CSV: a header and one record per row; the odd name is quoted.
        var csv = await CliRunner.RunAsync(Args("results", "--prefix", prefix, "--format", "csv"));
        var lines = csv.Output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("blob_name,status,vehicle_type", lines[0], StringComparison.Ordinal);
        Assert.Equal(total + 1, lines.Length);
        Assert.Contains(lines, l => l.StartsWith($"\"{prefix}weird <b>&\"\"quote'</b>.png\",Succeeded,", StringComparison.Ordinal));

        // Table with filters.
        var failed = await CliRunner.RunAsync(Args("results", "--prefix", prefix, "--status", "failed"));
        Assert.Equal(ExitCodes.Success, failed.ExitCode);
        Assert.Contains("Corrupt", failed.Output, StringComparison.Ordinal);
        Assert.Contains("1 rows: 0 succeeded, 1 failed", failed.Output, StringComparison.Ordinal);
        var yellow = await CliRunner.RunAsync(Args("results", "--prefix", prefix, "--label", "YELLOW", "--format", "json"));
        Assert.Equal("yellow", Assert.Single(JsonSerializer.Deserialize<List<ResultView>>(yellow.Output, new JsonSerializerOptions(JsonSerializerDefaults.Web))!).Label);

        // The HTTP API's query: one blob, and pages that add up to every row exactly once.
        var query = new ResultQuery(pipeline.Results, VehicleTypeCatalog.FromDefaultLocations());
        Assert.Equal("blue", (await query.GetAsync($"{prefix}blue.png"))!.Label);
        Assert.Null(await query.GetAsync($"{prefix}missing.png"));
        var paged = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            Assert.True(ResultApiRequest.TryParse(prefix, "3", ResultApiRequest.EncodeToken(token), out var request, out var error), error);
            var page = await query.GetPageAsync(request.Prefix, request.PageSize, request.ContinuationToken);
            Assert.InRange(page.Items.Count, 0, 3);
            paged.AddRange(page.Items.Select(v => v.BlobName));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 50);
        Assert.Equal(views.Select(v => v.BlobName).Order(StringComparer.Ordinal), paged.Order(StringComparer.Ordinal));
        Assert.True(pages >= 3, $"{pages} pages for {total} rows of page size 3");

        // Report: files inside --out only, every string escaped, renders in a real browser with no errors.
        var outDir = Path.Combine(_temp, "report");
        var report = await CliRunner.RunAsync(Args("report", "--prefix", prefix, "--out", outDir));
        Assert.Equal(ExitCodes.Success, report.ExitCode);
        var html = await File.ReadAllTextAsync(Path.Combine(outDir, "index.html"));
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("weird &lt;b&gt;&amp;&quot;quote&#39;&lt;/b&gt;.png", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(ExternalUrl(), html);
        var written = Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(outDir, f)).ToList();
        Assert.All(written, f => Assert.False(f.StartsWith("..", StringComparison.Ordinal)));
        Assert.Equal(total, written.Count(f => f.StartsWith("thumbs", StringComparison.Ordinal)) + 1); // the corrupt file has no thumbnail

        var dom = await HeadlessChromium.RunAsync(new Uri(Path.Combine(outDir, "index.html")).AbsoluteUri, "--dump-dom");
        var body = BodyTag().Match(dom).Value;
        Assert.Contains("data-ready=\"true\"", body, StringComparison.Ordinal);
        Assert.Contains($"data-cards=\"{total}\"", body, StringComparison.Ordinal);
        Assert.True(!body.Contains("data-errors", StringComparison.Ordinal), $"the page logged errors: {ErrorsBox().Match(dom).Value}");
        Assert.Equal(total, CardTag().Count(dom));
        Assert.DoesNotContain("<b>", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_PageThatThrows_IsCaughtByTheBrowserCheck()
    {
        // Guards the guard: a page whose script fails must be visible to the same DOM check.
        HeadlessChromium.Require();
        var html = await File.ReadAllTextAsync(await WriteReportFixtureAsync());
        var broken = html.Replace("document.body.setAttribute('data-ready', 'true');", "undefinedFunction(); document.body.setAttribute('data-ready', 'true');", StringComparison.Ordinal);
        var path = Path.Combine(_temp, "broken.html");
        await File.WriteAllTextAsync(path, broken);

        var dom = await HeadlessChromium.RunAsync(new Uri(path).AbsoluteUri, "--dump-dom");

        var body = BodyTag().Match(dom).Value;
        Assert.DoesNotContain("data-ready", body, StringComparison.Ordinal);
        Assert.Contains("data-errors=\"1\"", body, StringComparison.Ordinal);
        Assert.Contains("undefinedFunction", dom, StringComparison.Ordinal);
    }

    private async Task<string> WriteReportFixtureAsync()
    {
        var view = new ResultView { BlobPath = "images/x.png", BlobName = "x.png", Status = "Succeeded", Label = "red", Probability = 0.9, TopK = [new(0, "red", 0.9f)] };
        var path = Path.Combine(_temp, "fixture.html");
        await File.WriteAllTextAsync(path, ReportPage.Build("t", "", [(view, null, "none")], ReportModels.None, DateTimeOffset.UnixEpoch));
        return path;
    }

    [Fact]
    public async Task ModelCommands_GenerateVerifyInfo_AndRefuseWhatTheManifestCannotDo()
    {
        var cache = Path.Combine(_temp, "models");

        var missing = await CliRunner.RunAsync("model", "verify", "color-tiny", "--cache", cache);
        var generate = await CliRunner.RunAsync("model", "generate", "color-tiny", "--cache", cache);
        var verify = await CliRunner.RunAsync("model", "verify", "color-tiny", "--cache", cache);
        var info = await CliRunner.RunAsync("model", "info", "resnet50-generated", "--cache", cache);
        var download = await CliRunner.RunAsync("model", "download", "color-tiny", "--cache", cache);
        var unknown = await CliRunner.RunAsync("model", "info", "no-such-model");
        var file = Directory.GetFiles(cache).Single();
        await File.AppendAllTextAsync(file, "tampered");
        var corrupt = await CliRunner.RunAsync("model", "verify", "color-tiny", "--cache", cache);

        Assert.Equal(ExitCodes.ModelUnavailable, missing.ExitCode);
        Assert.Equal(ExitCodes.Success, generate.ExitCode);
        Assert.Equal(ExitCodes.Success, verify.ExitCode);
        Assert.Contains("OK", verify.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, info.ExitCode);
        Assert.Contains("MEAN NOTHING", info.Output, StringComparison.Ordinal);
        Assert.Contains("map to", info.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, download.ExitCode);
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Equal(ExitCodes.ModelUnavailable, corrupt.ExitCode);
        Assert.Contains("Corrupt", corrupt.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelDownload_UnreachableSource_IsModelUnavailable()
    {
        var manifest = Path.Combine(_temp, "unreachable", "manifest.json");
        Directory.CreateDirectory(Path.GetDirectoryName(manifest)!);
        var json = (await File.ReadAllTextAsync(Path.Combine(RepoPaths.Models, "resnet50-v1-12", "manifest.json")))
            .Replace("https://github.com/onnx/models/raw/", "http://127.0.0.1:1/", StringComparison.Ordinal)
            .Replace("\"labels.txt\"", $"\"{Path.Combine(RepoPaths.Models, "resnet50-v1-12", "labels.txt")}\"", StringComparison.Ordinal);
        await File.WriteAllTextAsync(manifest, json);

        var (exit, output) = await CliRunner.RunAsync(["model", "download", manifest, "--cache", Path.Combine(_temp, "cache")], null, 80, CancellationToken.None);

        Assert.Equal(ExitCodes.ModelUnavailable, exit);
        Assert.Contains("not available", output, StringComparison.Ordinal);

        // A few lines at 80 columns: the cause in words, the URL once.
        Assert.Contains("Download from 127.0.0.1 failed: connection refused.", output, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(output, "http://127\\.0\\.0\\.1:1/"));
        Assert.True(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 8, output);
    }

    [Theory]
    [InlineData("upload")]
    [InlineData("watch")]
    [InlineData("results")]
    [InlineData("report")]
    [InlineData("model")]
    [InlineData("model info")]
    [InlineData("model verify")]
    [InlineData("model download")]
    [InlineData("model generate")]
    public async Task Help_EveryCommand_DescribesItself(string command)
    {
        var (exit, output) = await CliRunner.RunAsync([.. command.Split(' '), "--help"]);

        Assert.Equal(0, exit);
        Assert.Contains("USAGE", output, StringComparison.Ordinal);
    }

    [GeneratedRegex("(?:src|href)\\s*=\\s*\"(?:https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalUrl();

    [GeneratedRegex("<body[^>]*>")]
    private static partial Regex BodyTag();

    [GeneratedRegex("<article class=\"card ")]
    private static partial Regex CardTag();

    [GeneratedRegex("<div id=\"errors\"[^>]*>[^<]*</div>")]
    private static partial Regex ErrorsBox();
}
