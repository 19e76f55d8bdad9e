using System.Collections.Concurrent;
using System.Diagnostics;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>The built Service Bus worker host (src/CarClassifier.Worker) as a child process, so a test can SIGKILL it.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string WorkerDll => Path.Combine(RepoPaths.Root, "src", "CarClassifier.Worker", "bin", RepoPaths.Configuration, "net10.0", "CarClassifier.Worker.dll");

    public bool HasExited => _process.HasExited;

    public string Output => string.Join('\n', _output);

    public static WorkerProcess Start(IDictionary<string, string> environment)
    {
        Assert.True(File.Exists(WorkerDll), $"Build the worker first: {WorkerDll} is missing.");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WorkerDll);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return new WorkerProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the worker."));
    }

    /// <summary>SIGKILL: no shutdown hook runs, nothing is settled.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
