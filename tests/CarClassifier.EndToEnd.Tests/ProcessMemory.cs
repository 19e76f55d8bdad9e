using System.Globalization;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>This test process's resident set from /proc, with the peak (VmHWM) reset so one step can be measured alone.</summary>
internal static class ProcessMemory
{
    /// <summary>Resets the peak to the current resident set (Linux: <c>echo 5 &gt; /proc/self/clear_refs</c>) and returns it.</summary>
    public static long ResetPeak()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        File.WriteAllText("/proc/self/clear_refs", "5");
        return Read("VmRSS:");
    }

    /// <summary>The peak resident set since the last <see cref="ResetPeak"/>.</summary>
    public static long PeakResidentBytes() => Read("VmHWM:");

    private static long Read(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }
}
