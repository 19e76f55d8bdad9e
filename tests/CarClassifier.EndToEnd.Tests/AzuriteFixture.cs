using System.Diagnostics;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// A private Azurite for the test run: its own free ports (see <see cref="AzuriteProcess.TestPortBase"/>) and in-memory
/// storage, so tests never touch a developer's local data or another run's, and start clean every time.
/// Installed by scripts/azurite.sh install.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private Process? _process;

    public int BlobPort { get; } = AzuriteProcess.TestPortBase;

    public int QueuePort { get; } = AzuriteProcess.TestPortBase + 1;

    public int TablePort { get; } = AzuriteProcess.TestPortBase + 2;

    public string ConnectionString => AzuriteProcess.ConnectionString(BlobPort);

    public async Task InitializeAsync()
    {
        _process = await AzuriteProcess.StartAsync(BlobPort, "--inMemoryPersistence");
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
}
