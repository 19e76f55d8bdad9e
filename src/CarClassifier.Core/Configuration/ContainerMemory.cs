using System.Globalization;

namespace CarClassifier.Core.Configuration;

/// <summary>
/// The memory this process may use: the container's limit where there is one (cgroup v2 <c>memory.max</c>, or v1
/// <c>memory.limit_in_bytes</c>), else the machine's memory as the runtime sees it.
/// </summary>
public static class ContainerMemory
{
    private static readonly string[] LimitFiles = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"];

    /// <summary>The limit in bytes, and where it came from (for the start-up log line).</summary>
    public static (long Bytes, string Source) Limit()
    {
        long machine = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        foreach (var file in LimitFiles)
        {
            if (TryReadLimit(file, out long limit) && limit > 0 && limit < machine)
            {
                return (limit, file);
            }
        }

        return (machine, "the machine's memory");
    }

    /// <summary>Reads a cgroup limit file; false for "max" (no limit), a missing file, or anything unreadable.</summary>
    internal static bool TryReadLimit(string file, out long bytes)
    {
        bytes = 0;
        try
        {
            if (!File.Exists(file)) return false;
            var text = File.ReadAllText(file).Trim();
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
