using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.Commands.Upload;

namespace CarClassifier.EndToEnd.Tests;

/// <summary><c>upload</c> as AzCopy users expect it: one file, --include/--exclude, --dry-run, a throughput line.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliUploadTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("carclass-upload-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string[] Args(params string[] args) => [.. args, "--connection", azurite.ConnectionString];

    private string Folder()
    {
        foreach (var file in new[] { "a.jpg", "b.png", "drafts/c.jpg", "cars/d.JPG" })
        {
            var path = Path.Combine(_temp, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, TestImages.SolidJpeg(TestImages.Colours["red"], 32, 32));
        }

        return _temp;
    }

    private async Task<List<string>> BlobsAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in new PipelineHostlessStorage(azurite).Images.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
        {
            names.Add(blob.Name[prefix.Length..]);
        }

        return names.Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task Upload_IncludeExcludeDryRun_ListsWithoutUploading_ThenUploadsOnlyTheMatches()
    {
        var folder = Folder();
        var prefix = $"globs-{Guid.NewGuid():N}/";

        var dry = await CliRunner.RunAsync(Args("upload", folder, "--prefix", prefix, "--include", "*.jpg", "--exclude", "drafts/**", "--dry-run"));
        var afterDry = await BlobsAsync(prefix);
        var real = await CliRunner.RunAsync(Args("upload", folder, "--prefix", prefix, "--include", "*.jpg", "--exclude", "drafts/**"));

        Assert.Equal(ExitCodes.Success, dry.ExitCode);
        Assert.Contains($"would upload {prefix}a.jpg", dry.Output, StringComparison.Ordinal);
        Assert.Contains($"would upload {prefix}cars/d.JPG", dry.Output, StringComparison.Ordinal);
        Assert.Contains("2 would be uploaded", dry.Output, StringComparison.Ordinal);
        Assert.Contains("Nothing was uploaded (--dry-run)", dry.Output, StringComparison.Ordinal);
        Assert.Empty(afterDry);
        Assert.Equal(ExitCodes.Success, real.ExitCode);
        Assert.Equal(["a.jpg", "cars/d.JPG"], await BlobsAsync(prefix));
        Assert.Matches(@"2 uploaded \([\d.]+ MiB, [\d.]+ files/s, [\d.]+ MiB/s\)", real.Output);
    }

    [Fact]
    public async Task Upload_SingleFile_IsNamedPrefixPlusFileName()
    {
        var folder = Folder();
        var prefix = $"single-{Guid.NewGuid():N}/";

        var (exit, output) = await CliRunner.RunAsync(Args("upload", Path.Combine(folder, "cars", "d.JPG"), "--prefix", prefix));

        Assert.True(exit == ExitCodes.Success, output);
        Assert.Equal(["d.JPG"], await BlobsAsync(prefix));
    }

    [Fact]
    public async Task Upload_NothingMatches_IsAUsageError()
    {
        var (exit, output) = await CliRunner.RunAsync(Args("upload", Folder(), "--include", "*.heic"));

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("none matching --include/--exclude", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_Quiet_PrintsOnlyTheSummary()
    {
        var prefix = $"quiet-{Guid.NewGuid():N}/";

        var loud = await CliRunner.RunAsync(Args("upload", Folder(), "--prefix", prefix, "--dry-run"));
        var (exit, output) = await CliRunner.RunAsync(Args("upload", Folder(), "--prefix", prefix, "--quiet"));

        Assert.Equal(ExitCodes.Success, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("4 files: 4 uploaded", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Next:", output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, loud.ExitCode);
    }

    [Theory]
    [InlineData("*.jpg", "a.jpg", true)]
    [InlineData("*.jpg", "deep/er/a.JPG", true)]
    [InlineData("*.jpg", "a.png", false)]
    [InlineData("drafts/**", "drafts/x/y.jpg", true)]
    [InlineData("drafts/**", "cars/drafts.jpg", false)]
    [InlineData("cars/**/*.png", "cars/a.png", true)]
    [InlineData("cars/**/*.png", "cars/x/y/a.png", true)]
    [InlineData("cars/*.png", "cars/x/a.png", false)]
    [InlineData("img_??.jpg;*.gif", "img_01.jpg", true)]
    [InlineData("img_??.jpg;*.gif", "anim.gif", true)]
    public void PathPatterns_MatchNamesOrPaths_AsDocumented(string pattern, string path, bool expected)
    {
        Assert.Equal(expected, new PathPatterns([pattern]).Matches(path));
    }
}
