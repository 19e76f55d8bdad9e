using System.Diagnostics;
using System.Globalization;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// An Azurite with disk persistence (a --location folder) on its own ports (the test port base + 3..5),
/// which a test can stop and start again with its data intact.
/// </summary>
internal sealed class DiskAzurite : IAsyncDisposable
{
    private static int PortBase => AzuriteProcess.TestPortBase + 3;

    private readonly string _location = Directory.CreateTempSubdirectory("carclass-azurite-disk-").FullName;
    private Process? _process;

    public string ConnectionString => AzuriteProcess.ConnectionString(PortBase);

    public async Task StartAsync()
    {
        // Never talk to a leftover emulator by mistake: its data is not ours and we could not stop it.
        if (await AzuriteProcess.IsListeningAsync(PortBase)) throw new InvalidOperationException($"Port {PortBase} is already in use: stop the process listening there.");
        _process = await AzuriteProcess.StartAsync(PortBase, "--location", _location);
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
        while (await AzuriteProcess.IsListeningAsync(PortBase))
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
}
