using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>Starts the pinned Azurite on three consecutive loopback ports and knows its connection string.</summary>
internal static class AzuriteProcess
{
    // The Azurite development account key is public and documented; it is not a secret.
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>
    /// The base port this test run uses (blob; queue, table, the disk Azurite's three and the terminal recording's three
    /// follow): CARCLASS_TEST_AZURITE_PORT, else the first of 10100, 10120, ... whose nine ports are all free. Never an emulator another run already started:
    /// two runs sharing one Azurite would classify each other's messages.
    /// </summary>
    public static int TestPortBase { get; private set; } =
        int.TryParse(Environment.GetEnvironmentVariable("CARCLASS_TEST_AZURITE_PORT"), out var port) ? port : FindFreeBase(10100);

    /// <summary>Moves <see cref="TestPortBase"/> to the next free range (after a run without the claim took this one).</summary>
    public static void ClaimNextBase()
    {
        var next = TestPortBase + 20;
        _portClaim?.Dispose();
        _portClaim = null;
        TestPortBase = FindFreeBase(next);
    }

    /// <summary>Held for the life of the test process: the port range it claimed (see <see cref="FindFreeBase"/>).</summary>
    private static FileStream? _portClaim;

    private static int FindFreeBase(int from)
    {
        for (var portBase = from; portBase < 10500; portBase += 20)
        {
            // Ports that look free can be taken by a run that probed them at the same moment: node needs seconds to bind,
            // and the loser's Azurite then fails to bind while the winner's answers on its ports, so two runs share one
            // emulator until the first one ends and kills it. An exclusive lock per range (flock; released when the
            // process exits, even on a crash) makes the choice atomic between runs.
            if (!TryClaim(portBase)) continue;
            if (Enumerable.Range(portBase, 9).All(IsFree)) return portBase;
            _portClaim!.Dispose();
            _portClaim = null;
        }

        throw new InvalidOperationException("No free port range for Azurite between 10100 and 10500; set CARCLASS_TEST_AZURITE_PORT.");
    }

    private static bool TryClaim(int portBase)
    {
        try
        {
            _portClaim = new FileStream(Path.Combine(Path.GetTempPath(), $"carclass-azurite-{portBase}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false; // Another test run holds this range.
        }
    }

    /// <summary>
    /// True when the process listening on loopback <paramref name="port"/> is <paramref name="process"/> (Linux /proc: the
    /// LISTEN socket's inode is one of the process's descriptors); true where /proc cannot tell. A run whose Azurite lost
    /// the port to another run's must not use that one.
    /// </summary>
    public static bool IsListeningProcess(Process process, int port)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (process.HasExited) return false;
        if (!File.Exists("/proc/net/tcp") || !Directory.Exists($"/proc/{process.Id}/fd")) return true;
        var hexPort = port.ToString("X4", CultureInfo.InvariantCulture);
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[3] == "0A" && fields[1].EndsWith(":" + hexPort, StringComparison.Ordinal)) inodes.Add(fields[9]);
            }
        }

        if (inodes.Count == 0) return false;
        try
        {
            return Directory.EnumerateFiles($"/proc/{process.Id}/fd")
                .Select(fd => new FileInfo(fd).LinkTarget)
                .Any(target => target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static string ConnectionString(int portBase) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};" +
        $"BlobEndpoint=http://127.0.0.1:{portBase}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{portBase + 1}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{portBase + 2}/devstoreaccount1;";

    /// <summary>Starts Azurite with <paramref name="storageArguments"/> (e.g. --inMemoryPersistence or --location DIR) and waits for its ports.</summary>
    public static async Task<Process> StartAsync(int portBase, params string[] storageArguments) =>
        await TryStartAsync(portBase, storageArguments)
        ?? throw new InvalidOperationException($"Another process listens on ports {portBase}-{portBase + 2}: this run's Azurite could not bind them. Set CARCLASS_TEST_AZURITE_PORT to a free range.");

    /// <summary><see cref="StartAsync"/>, or null when another process (another test run's Azurite) holds the ports.</summary>
    public static async Task<Process?> TryStartAsync(int portBase, params string[] storageArguments)
    {
        var azurite = Path.Combine(RepoPaths.Root, "tools", "azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"Azurite is not installed at {azurite}. Run scripts/azurite.sh install (scripts/test.sh does it for you).");
        }

        var start = new ProcessStartInfo(azurite)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--silent", "--skipApiVersionCheck", "--loose" }.Concat(storageArguments).Concat(
        [
            "--blobHost", "127.0.0.1", "--blobPort", portBase.ToString(CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", (portBase + 1).ToString(CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", (portBase + 2).ToString(CultureInfo.InvariantCulture),
        ]))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await AllListeningAsync(portBase))
            {
                if (Enumerable.Range(portBase, 3).All(p => IsListeningProcess(process, p))) return process;
                process.Kill(entireProcessTree: true);
                process.Dispose();
                return null;
            }

            if (process.HasExited)
            {
                if (await AllListeningAsync(portBase)) return null; // Lost the ports to another run's Azurite.
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode}.");
            }

            await Task.Delay(250);
        }

        process.Kill(entireProcessTree: true);
        process.Dispose();
        throw new TimeoutException("Azurite did not start listening within 60 s.");
    }

    public static async Task<bool> AllListeningAsync(int portBase) =>
        await IsListeningAsync(portBase) && await IsListeningAsync(portBase + 1) && await IsListeningAsync(portBase + 2);

    public static async Task<bool> IsListeningAsync(int port)
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
