using System.Globalization;

namespace CarClassifier.Bench;

/// <summary>
/// CPU time (user + system) of a process and of each of its threads, read from /proc (Linux only). Clock ticks are
/// 10 ms (USER_HZ 100), so a measurement needs a few hundred ticks to be good to a percent.
/// </summary>
internal sealed class ProcessCpu
{
    private const double MsPerTick = 10.0;

    private ProcessCpu(double totalMs, IReadOnlyDictionary<int, (string Name, double Ms)> threads)
    {
        TotalMs = totalMs;
        Threads = threads;
    }

    /// <summary>User + system CPU of the whole process, in ms (includes threads that have exited).</summary>
    public double TotalMs { get; }

    /// <summary>Live threads: id -> (name from /proc comm, user + system ms).</summary>
    public IReadOnlyDictionary<int, (string Name, double Ms)> Threads { get; }

    public static bool Supported => File.Exists("/proc/self/stat");

    public static ProcessCpu Read(int pid)
    {
        var total = ParseTicks(File.ReadAllText($"/proc/{pid}/stat")) * MsPerTick;
        var threads = new Dictionary<int, (string, double)>();
        foreach (var dir in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var name = stat[(open + 1)..close];
                threads[int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture)] = (name, ParseTicks(stat) * MsPerTick);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The thread exited between the listing and the read: its time is still in the process total.
            }
        }

        return new ProcessCpu(total, threads);
    }

    /// <summary>
    /// CPU spent between two readings, grouped by thread name (the .NET runtime names its threads: ".NET TP Worker",
    /// ".NET Tiered Com" for the JIT, ".NET BGC"/".NET Finalizer"; a thread created by native code inherits its
    /// creator's name). Time of threads that exited in between is reported as "(exited threads)".
    /// </summary>
    public static Dictionary<string, double> ByThreadName(ProcessCpu before, ProcessCpu after)
    {
        var groups = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (tid, (name, ms)) in after.Threads)
        {
            var delta = ms - (before.Threads.TryGetValue(tid, out var old) ? old.Ms : 0);
            var key = GroupName(name);
            groups[key] = groups.GetValueOrDefault(key) + delta;
        }

        var accounted = groups.Values.Sum();
        var exited = after.TotalMs - before.TotalMs - accounted;
        if (Math.Abs(exited) >= MsPerTick) groups["(exited threads)"] = exited;
        return groups;
    }

    public const string JitGroup = "JIT (tiered compilation)";

    public static string GroupName(string comm) => comm switch
    {
        _ when comm.StartsWith(".NET TP Worker", StringComparison.Ordinal) => "thread pool",
        _ when comm.StartsWith(".NET Tiered", StringComparison.Ordinal) => JitGroup,
        _ when comm.Contains("GC", StringComparison.Ordinal) || comm.StartsWith(".NET Finalizer", StringComparison.Ordinal) => "GC + finalizer",
        _ when comm.StartsWith("Console logger", StringComparison.Ordinal) => "console log writer",
        _ when comm.StartsWith(".NET Timer", StringComparison.Ordinal) || comm.StartsWith(".NET Counter", StringComparison.Ordinal) => "timers",
        _ when comm.StartsWith(".NET Long", StringComparison.Ordinal) => "long-running tasks",
        _ when comm.StartsWith(".NET SigHandler", StringComparison.Ordinal) || comm.StartsWith(".NET EventPipe", StringComparison.Ordinal) => "runtime other",
        _ => comm,
    };

    /// <summary>utime + stime: fields 14 and 15 of /proc/.../stat, counted after the ')' that closes the name.</summary>
    private static long ParseTicks(string stat)
    {
        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // rest[0] is field 3 (state): field 14 is rest[11], field 15 rest[12].
        return long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
    }
}
