using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// The built <c>carclass host</c> as a child process (src/CarClassifier.Cli/bin/&lt;Configuration&gt;/net10.0/carclass.dll),
/// so tests can kill it with SIGKILL and read its peak memory like an operator would.
/// </summary>
internal sealed class CliHostProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private CliHostProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Keep(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Keep(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string CliDll => Path.Combine(RepoPaths.Root, "src", "CarClassifier.Cli", "bin", RepoPaths.Configuration, "net10.0", "carclass.dll");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output => string.Join('\n', _output);

    /// <summary>Starts <c>carclass &lt;arguments&gt;</c> in the repo root (so <c>--model color-tiny</c> resolves).</summary>
    public static CliHostProcess Start(IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        Assert.True(File.Exists(CliDll), $"Build the CLI first: {CliDll} is missing.");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliDll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return new CliHostProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start carclass."));
    }

    /// <summary><c>carclass host --model color-tiny</c> against <paramref name="connection"/>, with a private model cache.</summary>
    public static CliHostProcess StartHost(string connection, string modelCache, IDictionary<string, string>? environment = null)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["Classifier__ModelCacheDirectory"] = modelCache,
        };
        return Start(["host", "--model", "color-tiny", "--connection", connection], env);
    }

    /// <summary>Runs a short command to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        using var process = Start(arguments, environment);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        await process._process.WaitForExitAsync(cts.Token);
        process._process.WaitForExit(); // Flushes the asynchronous output readers.
        return (process._process.ExitCode, process.Output);
    }

    /// <summary>Waits until the host printed that it is listening (or died).</summary>
    public async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_output.Any(l => l.Contains("Listening on container", StringComparison.Ordinal))) return;
            if (_process.HasExited) throw new InvalidOperationException($"carclass host exited with {_process.ExitCode}:\n{Output}");
            await Task.Delay(200);
        }

        throw new TimeoutException($"carclass host did not start listening within {timeout.TotalSeconds:F0} s:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown code runs, in-flight messages are simply abandoned.</summary>
    public void KillHard()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>
    /// Peak resident set (VmHWM, from /proc) of the live process or of its largest child (the supervised host runs
    /// in a child process); null where /proc is not available.
    /// </summary>
    public long? PeakResidentBytes()
    {
        long? peak = PeakResidentBytes(_process.Id);
        var children = $"/proc/{_process.Id}/task/{_process.Id}/children";
        if (File.Exists(children))
        {
            foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var childPeak = PeakResidentBytes(int.Parse(child, CultureInfo.InvariantCulture));
                if (childPeak > (peak ?? 0)) peak = childPeak;
            }
        }

        return peak;
    }

    private static long? PeakResidentBytes(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status)) return null;
        foreach (var line in File.ReadLines(status))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
            var kb = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return kb * 1024;
        }

        return null;
    }

    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }

    private void Keep(string line)
    {
        _output.Enqueue(line);
        while (_output.Count > 5000) _output.TryDequeue(out _);
    }
}
