using System.ComponentModel;
using System.Diagnostics;

namespace CarClassifier.Cli.Commands.Report;

/// <summary>
/// Opens a file in the default browser the way each OS does it: <c>xdg-open</c> on Linux, <c>open</c> on macOS,
/// the shell's file association (what <c>start</c> uses) on Windows. Not finding an opener is not an error: the report is
/// written, so the command says so in one line and still succeeds.
/// </summary>
internal static class ReportOpener
{
    /// <summary>Starts the opener on <paramref name="file"/>; null when it started, else one line saying why not.</summary>
    /// <param name="pathVariable">The PATH to search for the opener (the process's PATH in the command).</param>
    public static string? TryOpen(string file, string? pathVariable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        ProcessStartInfo start;
        if (OperatingSystem.IsWindows())
        {
            start = new ProcessStartInfo(file) { UseShellExecute = true };
        }
        else
        {
            var name = OperatingSystem.IsMacOS() ? "open" : "xdg-open";
            var opener = Find(name, pathVariable);
            if (opener is null) return $"Not opened: no '{name}' on PATH to open a browser with; open {file} yourself.";
            start = new ProcessStartInfo(opener) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(file);
        }

        try
        {
            // Not waited for: xdg-open may stay until the browser exits. Its chatter is discarded, not printed over ours.
            using var process = Process.Start(start);
            return process is null ? $"Not opened: the opener did not start; open {file} yourself." : null;
        }
        catch (Win32Exception ex)
        {
            return $"Not opened: {ex.Message}; open {file} yourself.";
        }
    }

    /// <summary>The full path of an executable file named <paramref name="name"/> in one of the PATH folders, or null.</summary>
    public static string? Find(string name, string? pathVariable)
    {
        foreach (var folder in (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return candidate;
            }
        }

        return null;
    }
}
