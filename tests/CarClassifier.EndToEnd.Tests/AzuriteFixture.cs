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

    public int BlobPort => AzuriteProcess.TestPortBase;

    public int QueuePort => AzuriteProcess.TestPortBase + 1;

    public int TablePort => AzuriteProcess.TestPortBase + 2;

    public string ConnectionString => AzuriteProcess.ConnectionString(BlobPort);

    public async Task InitializeAsync()
    {
        // A concurrent run started before the port claim existed can take the same free range; move on to the next.
        for (var attempt = 1; ; attempt++)
        {
            _process = await AzuriteProcess.TryStartAsync(BlobPort, "--inMemoryPersistence");
            if (_process is not null) return;
            if (attempt == 5) throw new InvalidOperationException($"Five port ranges up to {BlobPort} were taken by other processes. Set CARCLASS_TEST_AZURITE_PORT to a free range.");
            AzuriteProcess.ClaimNextBase();
        }
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
