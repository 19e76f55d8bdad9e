using System.Diagnostics;
using System.Net.Sockets;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// A private Azurite for the test run: its own ports (10100-10102) and in-memory storage, so tests never
/// touch a developer's local data and start clean every time. Installed by scripts/azurite.sh install.
/// Set CARCLASS_TEST_AZURITE_PORT to move the three ports (base, base+1, base+2), e.g. to run two checkouts' tests at once.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private static readonly int PortBase =
        int.TryParse(Environment.GetEnvironmentVariable("CARCLASS_TEST_AZURITE_PORT"), out var port) ? port : 10100;

    // The Azurite development account key is public and documented; it is not a secret.
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private Process? _process;

    public int BlobPort { get; } = PortBase;

    public int QueuePort { get; } = PortBase + 1;

    public int TablePort { get; } = PortBase + 2;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public async Task InitializeAsync()
    {
        if (await IsListeningAsync(BlobPort) && await IsListeningAsync(QueuePort) && await IsListeningAsync(TablePort))
        {
            return;
        }

        var azurite = Path.Combine(RepoPaths.Root, "tools", "azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"Azurite is not installed at {azurite}. Run scripts/azurite.sh install (scripts/test.sh does it for you).");
        }

        var start = new ProcessStartInfo(azurite)
        {
            ArgumentList =
            {
                "--silent", "--skipApiVersionCheck", "--loose", "--inMemoryPersistence",
                "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await IsListeningAsync(BlobPort) && await IsListeningAsync(QueuePort) && await IsListeningAsync(TablePort)) return;
            if (_process.HasExited) throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode}.");
            await Task.Delay(250);
        }

        throw new TimeoutException("Azurite did not start listening within 60 s.");
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
