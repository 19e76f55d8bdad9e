using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.Output;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Results;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace CarClassifier.EndToEnd.Tests.Cli;

/// <summary>
/// <c>COLUMNS=200 carclass results &gt; out.txt</c>: output that goes to a file or a pipe is as wide as an explicit
/// COLUMNS says (Spectre assumes 80 when there is no terminal); on a terminal the terminal's size wins (see
/// TerminalRecordingTests, which runs in an 80-column pty with COLUMNS=200 set).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RedirectedColumnsTests(AzuriteFixture azurite)
{
    private const string LongName = "a-rather-long-file-name-straight-from-a-phone-camera-IMG_20261130_081512.jpg";

    [Theory]
    [InlineData(true, "200", 200)]
    [InlineData(true, "132", 132)]
    [InlineData(false, "200", null)] // A terminal: its own size wins.
    [InlineData(true, null, null)]
    [InlineData(true, "", null)]
    [InlineData(true, "wide", null)]
    [InlineData(true, "-1", null)]
    [InlineData(true, "5", null)]
    [InlineData(true, "99999", null)]
    public void RedirectedWidth_OnlyAnExplicitSensibleColumnsOnRedirectedOutput(bool redirected, string? columns, int? expected) =>
        Assert.Equal(expected, CliConsole.RedirectedWidth(redirected, columns));

    [Fact]
    public async Task Results_RedirectedWithColumns200_TableUsesTheWidth_WithoutColumnsStays80()
    {
        // Arrange: two rows under a fresh prefix, one with a long name and a long error.
        var storage = new StorageClientFactory(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = azurite.ConnectionString }).Build());
        await StorageBootstrapper.EnsureAsync(storage);
        var store = new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable));
        var prefix = $"columns-{Guid.NewGuid():N}/";
        await store.UpsertAsync(new ClassificationResult
        {
            BlobPath = ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + LongName),
            Status = "Failed",
            ErrorKind = "Corrupt",
            Error = "The file is not an image this pipeline can decode: no JPEG, PNG, GIF, BMP, TIFF or WebP signature in its first bytes.",
            ProcessedAt = DateTimeOffset.UtcNow,
        });
        await store.UpsertAsync(new ClassificationResult
        {
            BlobPath = ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + "red.jpg"),
            Status = "Succeeded",
            Label = "red",
            Probability = 0.93,
            ProcessedAt = DateTimeOffset.UtcNow,
        });
        string[] args = ["results", "--prefix", prefix, "--connection", azurite.ConnectionString];

        // Act: the built CLI with stdout redirected (a pipe), as `carclass results > out.txt`.
        var wide = await CliHostProcess.RunAsync(args, new Dictionary<string, string> { ["COLUMNS"] = "200" });
        var plain = await CliHostProcess.RunAsync(args, new Dictionary<string, string> { ["COLUMNS"] = "" });

        // Assert
        Assert.True(wide.ExitCode == ExitCodes.Success, wide.Output);
        Assert.True(plain.ExitCode == ExitCodes.Success, plain.Output);
        var wideWidth = wide.Output.Split('\n').Max(l => l.TrimEnd().GetCellWidth());
        var plainWidth = plain.Output.Split('\n').Max(l => l.TrimEnd().GetCellWidth());
        Assert.True(wideWidth is > 150 and <= 200, $"COLUMNS=200: widest line {wideWidth}:\n{wide.Output}");
        Assert.Contains(LongName[^45..], wide.Output, StringComparison.Ordinal); // The image column takes a third of the room.
        Assert.Contains("Prob.", wide.Output, StringComparison.Ordinal);
        Assert.True(plainWidth <= 80, $"no COLUMNS: widest line {plainWidth}:\n{plain.Output}");
        Assert.DoesNotContain(LongName[^45..], plain.Output, StringComparison.Ordinal);
        Assert.Contains("…", plain.Output, StringComparison.Ordinal);
    }
}
