using System.Diagnostics;

namespace CarClassifier.Bench;

/// <summary>
/// A <c>perf record</c> of one process (call graphs, 999 Hz) for the measured window of a plumbing run, so the host's
/// thread-pool time can be attributed to the calls that spend it. JIT-compiled frames are named through the perf map the
/// runtime writes when <c>DOTNET_PerfMapEnabled=1</c> (/tmp/perf-PID.map); W^X is turned off for the run
/// (<c>DOTNET_EnableWriteXorExecute=0</c>), or the code lives in a memfd mapping perf cannot name.
/// </summary>
internal sealed class SamplingProfile : IDisposable
{
    private readonly Process _perf;

    private SamplingProfile(Process perf) => _perf = perf;

    /// <summary>Starts recording, or returns null when no folder was asked for.</summary>
    public static SamplingProfile? Start(string? folder, string name, int pid)
    {
        if (folder is null) return null;
        Directory.CreateDirectory(folder);
        var output = Path.Combine(folder, $"{name}.perf.data");
        var start = new ProcessStartInfo("perf")
        {
            ArgumentList = { "record", "-F", "999", "-g", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", output },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            var perf = Process.Start(start) ?? throw new InvalidOperationException("perf did not start.");
            perf.OutputDataReceived += (_, _) => { };
            perf.ErrorDataReceived += (_, _) => { };
            perf.BeginOutputReadLine();
            perf.BeginErrorReadLine();
            return new SamplingProfile(perf);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"--plumbing-profile needs perf on the PATH: {ex.Message}", ex);
        }
    }

    /// <summary>Stops recording (SIGINT, which makes perf write its file) and waits for the file.</summary>
    public void Stop()
    {
        if (_perf.HasExited) return;
        using (var kill = Process.Start("kill", ["-INT", _perf.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        if (!_perf.WaitForExit(TimeSpan.FromSeconds(60))) _perf.Kill();
    }

    public void Dispose()
    {
        Stop();
        _perf.Dispose();
    }
}
