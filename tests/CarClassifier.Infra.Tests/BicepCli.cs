using System.Diagnostics;
using System.Reflection;

namespace CarClassifier.Infra.Tests;

/// <summary>
/// Runs the Bicep CLI that the Azure.Bicep.CommandLine.linux-x64 package ships in its tools folder.
/// Looks in order at: the BICEP_PATH environment variable, the path MSBuild recorded at build time
/// ($(BicepPath) from the package's props), and the NuGet global packages folder.
/// </summary>
internal static class BicepCli
{
    private const string PackageId = "azure.bicep.commandline.linux-x64";

    private static readonly Lazy<string> Executable = new(Locate);

    public static string Path => Executable.Value;

    public static BicepResult Run(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {Path}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} ran for more than 3 minutes.");
        }

        process.WaitForExit();
        return new BicepResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static string Locate()
    {
        var candidates = new List<string>();
        var fromEnvironment = Environment.GetEnvironmentVariable("BICEP_PATH");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            candidates.Add(fromEnvironment);
        }

        var fromBuild = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BicepPath")?.Value;
        if (!string.IsNullOrWhiteSpace(fromBuild))
        {
            candidates.Add(fromBuild.Replace('\\', '/'));
        }

        var packagesRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var packageFolder = System.IO.Path.Combine(packagesRoot, PackageId);
        if (Directory.Exists(packageFolder))
        {
            candidates.AddRange(Directory.GetDirectories(packageFolder)
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .Select(d => System.IO.Path.Combine(d, "tools", "bicep")));
        }

        var found = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                "Bicep CLI not found. Restore tests/CarClassifier.Infra.Tests (it references "
                + "Azure.Bicep.CommandLine.linux-x64) or set BICEP_PATH. Looked at: " + string.Join(", ", candidates));

        EnsureExecutable(found);
        return found;
    }

    private static void EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }
    }
}
