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
    /// The base port this test run uses (blob; queue, table and the disk Azurite's three follow): CARCLASS_TEST_AZURITE_PORT,
    /// else the first of 10100, 10120, ... whose six ports are all free. Never an emulator another run already started:
    /// two runs sharing one Azurite would classify each other's messages.
    /// </summary>
    public static int TestPortBase { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("CARCLASS_TEST_AZURITE_PORT"), out var port) ? port : FindFreeBase();

    private static int FindFreeBase()
    {
        for (var portBase = 10100; portBase < 10500; portBase += 20)
        {
            if (Enumerable.Range(portBase, 6).All(IsFree)) return portBase;
        }

        throw new InvalidOperationException("No free port range for Azurite between 10100 and 10500; set CARCLASS_TEST_AZURITE_PORT.");
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
    public static async Task<Process> StartAsync(int portBase, params string[] storageArguments)
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
            if (await AllListeningAsync(portBase)) return process;
            if (process.HasExited) throw new InvalidOperationException($"Azurite exited with code {process.ExitCode}.");
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
