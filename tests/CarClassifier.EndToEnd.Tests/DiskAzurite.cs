using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// An Azurite with disk persistence (a --location folder) on its own ports (CARCLASS_TEST_AZURITE_PORT + 3..5),
/// which a test can stop and start again with its data intact.
/// </summary>
internal sealed class DiskAzurite : IAsyncDisposable
{
    private static readonly int PortBase =
        (int.TryParse(Environment.GetEnvironmentVariable("CARCLASS_TEST_AZURITE_PORT"), out var port) ? port : 10100) + 3;

    // The Azurite development account key is public and documented; it is not a secret.
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _location = Directory.CreateTempSubdirectory("carclass-azurite-disk-").FullName;
    private Process? _process;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};" +
        $"BlobEndpoint=http://127.0.0.1:{PortBase}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{PortBase + 1}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{PortBase + 2}/devstoreaccount1;";

    public async Task StartAsync()
    {
        // Never talk to a leftover emulator by mistake: its data is not ours and we could not stop it.
        if (await IsListeningAsync(PortBase)) throw new InvalidOperationException($"Port {PortBase} is already in use: stop the process listening there.");
        var azurite = Path.Combine(RepoPaths.Root, "tools", "azurite", "node_modules", ".bin", "azurite");
        var start = new ProcessStartInfo(azurite)
        {
            ArgumentList =
            {
                "--silent", "--skipApiVersionCheck", "--loose", "--location", _location,
                "--blobHost", "127.0.0.1", "--blobPort", PortBase.ToString(CultureInfo.InvariantCulture),
                "--queueHost", "127.0.0.1", "--queuePort", (PortBase + 1).ToString(CultureInfo.InvariantCulture),
                "--tableHost", "127.0.0.1", "--tablePort", (PortBase + 2).ToString(CultureInfo.InvariantCulture),
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
            if (await IsListeningAsync(PortBase) && await IsListeningAsync(PortBase + 1) && await IsListeningAsync(PortBase + 2)) return;
            if (_process.HasExited) throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode}.");
            await Task.Delay(250);
        }

        throw new TimeoutException("Azurite did not start listening within 60 s.");
    }

    /// <summary>
    /// Stops Azurite the way an operator (or a container stop) does, with SIGINT, and waits until its ports are closed.
    /// Not SIGKILL: Azurite keeps its metadata in LokiJS with a periodic autosave, so a SIGKILL loses writes it
    /// already acknowledged, which would test the emulator's durability rather than our pipeline.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            using (var signal = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await signal.WaitForExitAsync();
            }

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process?.Dispose();
        _process = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await IsListeningAsync(PortBase))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Port {PortBase} still open 30 s after Azurite stopped.");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
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
