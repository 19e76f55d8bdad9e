using System.Diagnostics;
using CarClassifier.Cli.Commands.Shared;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>Storage that is not there: every command says where and why in one line, at once, and exits 4.</summary>
public sealed class CliStorageErrorTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly string Dead = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};" +
        "BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";

    [Theory]
    [InlineData("results")]
    [InlineData("watch", "--timeout", "60")]
    [InlineData("report", "--out", "never-written")]
    [InlineData("poison", "list")]
    [InlineData("poison", "replay", "--all")]
    public async Task NothingListening_OneLineNamingEndpointAndCause_Exit4_WithoutRetrying(params string[] command)
    {
        var clock = Stopwatch.StartNew();
        var (exit, output) = await CliRunner.RunAsync([.. command, "--connection", Dead]);

        Assert.Equal(ExitCodes.StorageUnavailable, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("Storage is not reachable: connection refused 127.0.0.1:1.", line, StringComparison.Ordinal);
        Assert.Contains("scripts/azurite.sh start", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Retry failed", output, StringComparison.Ordinal);

        // A refused connection is final: the SDK's six retries with backoff (about 15 s) would only make the user wait.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task UnknownHost_SaysHostNotFound()
    {
        var (exit, output) = await CliRunner.RunAsync("results", "--connection", $"DefaultEndpointsProtocol=http;AccountName=x;AccountKey={Key};" +
            "BlobEndpoint=http://nosuchhost.invalid/x;QueueEndpoint=http://nosuchhost.invalid/x;TableEndpoint=http://nosuchhost.invalid/x;");

        Assert.Equal(ExitCodes.StorageUnavailable, exit);
        Assert.Contains("host not found nosuchhost.invalid:80", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AzuritePortVariables_AreTheDefaultEndpoint_LikeScriptsAzuriteSh()
    {
        // scripts/azurite.sh start on other ports exports AZURITE_*_PORT; the CLI must look there, not at 10000.
        Environment.SetEnvironmentVariable("AZURITE_BLOB_PORT", "1");
        try
        {
            var (exit, output) = await CliRunner.RunAsync("results");

            Assert.Equal(ExitCodes.StorageUnavailable, exit);
            Assert.Contains("connection refused 127.0.0.1:1.", output, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AZURITE_BLOB_PORT", null);
        }
    }
}
