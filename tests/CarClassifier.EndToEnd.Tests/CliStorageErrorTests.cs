using Azure.Core;
using Azure.Core.Pipeline;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using Microsoft.Extensions.Configuration;

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
        var (exit, output) = await CliRunner.RunAsync([.. command, "--connection", Dead]);

        Assert.Equal(ExitCodes.StorageUnavailable, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("Storage is not reachable: connection refused 127.0.0.1:1.", line, StringComparison.Ordinal);
        Assert.Contains("scripts/azurite.sh start", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Retry failed", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A refused connection is final: the SDK's six retries with backoff (about 15 s), or the command's own retry loop,
    /// would only make the user wait. Every command opens storage through <see cref="StorageConnection"/>; counted
    /// here (one call, where a time limit would fail on a loaded machine). The SDK's own retries are off in its probe
    /// (MaxRetries 0) and would show as "Retry failed" in the CLI test above.
    /// </summary>
    [Fact]
    public async Task OpenAsync_NothingListening_SendsOneRequest_AndReportsUnreachable()
    {
        var requests = new CountingPolicy();
        var storage = new StorageClientFactory(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = Dead }).Build(),
            policies: [requests]);

        var opened = await new StorageConnection(storage).OpenAsync(CancellationToken.None);

        Assert.False(opened);
        Assert.Equal(1, requests.Count);
    }

    /// <summary>Counts the calls the storage clients make (a per-call policy: the probe's own retry loop would count again).</summary>
    private sealed class CountingPolicy : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
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

    [Theory]
    [InlineData("--account-name", "myaccount", "--connection", "UseDevelopmentStorage=true")]
    [InlineData("--account-name", "My_Account")]
    [InlineData("--blob-endpoint", "http://127.0.0.1:10000/devstoreaccount1")]
    [InlineData("--blob-endpoint", "https://127.0.0.1:10000/devstoreaccount1")]
    public async Task IdentityOptions_Invalid_AreUsageErrors(params string[] options)
    {
        var (exit, output) = await CliRunner.RunAsync(["results", .. options]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith("Error:", output.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdentityAuth_NoSignIn_OneLineNamingTheAccount_Exit4()
    {
        // DefaultAzureCredential finds no sign-in on this machine (no az login, no managed identity). Azurite cannot stand
        // in for the token exchange here: it accepts tokens only in --oauth basic mode over HTTPS, with a certificate the
        // client must trust, and nothing would issue the token; so the mapping of the options is what is checked.
        var (exit, output) = await CliRunner.RunAsync("results", "--account-name", "carclassnoaccount1");

        Assert.Equal(ExitCodes.StorageUnavailable, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("no Azure credential for carclassnoaccount1.blob.core.windows.net:443", line, StringComparison.Ordinal);
        Assert.Contains("az login", line, StringComparison.Ordinal);
    }
}
