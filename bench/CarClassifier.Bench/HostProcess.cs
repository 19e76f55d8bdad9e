using System.Diagnostics;

namespace CarClassifier.Bench;

/// <summary>Starts a host under test (local host, Service Bus worker, Functions worker) the same way for every section.</summary>
internal static class HostProcess
{
    /// <summary>
    /// <c>carclass host</c> as the bench runs it: one process (no restart supervisor), the bench's model from the cache
    /// the bench prepared it in (the model file sits directly in it), never a download, no colour codes.
    /// </summary>
    public static ProcessStartInfo LocalHost(string cli, BenchModel model, string connection, BenchSettings settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { cli, "host", "--no-restart", "--model", model.ManifestPath, "--connection", connection },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        start.Environment["Classifier__ModelCacheDirectory"] = RepoPaths.Resolve(settings.ModelCache);
        start.Environment["Classifier__AllowModelDownload"] = "false";
        start.Environment["NO_COLOR"] = "1";
        return start;
    }

    /// <summary>
    /// Applies the user's <c>--host-env</c> settings last (so they override the section's), and, for a profiled run, the
    /// runtime settings perf needs to name JIT-compiled frames (a perf map; W^X off, or the code lives in a memfd
    /// mapping perf cannot name). Then starts the process and hands every stdout and stderr line to <paramref name="onLine"/>.
    /// </summary>
    public static Process Start(ProcessStartInfo start, BenchSettings settings, bool profiled, Action<string?> onLine, string what)
    {
        if (profiled) (start.Environment["DOTNET_PerfMapEnabled"], start.Environment["DOTNET_EnableWriteXorExecute"]) = ("1", "0");
        foreach (var pair in settings.HostEnvironment)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            start.Environment[pair[..eq]] = pair[(eq + 1)..];
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {what}.");
        process.OutputDataReceived += (_, e) => onLine(e.Data);
        process.ErrorDataReceived += (_, e) => onLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
