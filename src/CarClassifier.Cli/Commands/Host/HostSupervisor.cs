using System.Diagnostics;
using System.Reflection;
using CarClassifier.Cli.Commands.Shared;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Host;

/// <summary>
/// Runs <c>carclass host</c> as a child process and starts it again when it dies. The WebJobs SDK deliberately
/// crashes the process when a listener hits an unhandled error (a storage outage longer than its retries, or the
/// blob trigger's NullReferenceException when a receipt vanishes), expecting the Functions runtime to restart it;
/// locally nothing else would, so this does. A clean exit, a usage error or a model problem is final.
/// </summary>
internal static class HostSupervisor
{
    /// <summary>Set in the child's environment so it runs the host itself instead of supervising again.</summary>
    public const string ChildVariable = "CARCLASS_HOST_SUPERVISED";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>A child that dies this soon after starting, this many times in a row, has a permanent problem: stop.</summary>
    private static readonly TimeSpan QuickFailure = TimeSpan.FromSeconds(20);

    private const int MaxQuickFailures = 5;

    public static bool IsChild => Environment.GetEnvironmentVariable(ChildVariable) == "1";

    public static async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var quickFailures = 0;
        for (var attempt = 1; ; attempt++)
        {
            using var child = Process.Start(ChildStartInfo()) ?? throw new InvalidOperationException("Could not start the host process.");
            var started = Stopwatch.StartNew();
            try
            {
                await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C reaches the child too (same process group); give it time to stop cleanly.
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await child.WaitForExitAsync(patience.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    child.Kill(entireProcessTree: true);
                }

                return ExitCodes.Success;
            }

            var code = child.ExitCode;
            if (code is ExitCodes.Success or ExitCodes.Usage or ExitCodes.ModelUnavailable or ExitCodes.OtherModelRunning) return code;
            quickFailures = started.Elapsed < QuickFailure ? quickFailures + 1 : 0;
            if (quickFailures >= MaxQuickFailures)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]The host failed at start {quickFailures} times in a row (last exit code {code}); not restarting it.[/] Run [bold]carclass host --no-restart[/] to see the error.");
                return ExitCodes.Internal;
            }

            // A host that ran for a while before dying starts again quickly; one that dies at once backs off.
            if (started.Elapsed > TimeSpan.FromMinutes(1)) backoff = TimeSpan.FromSeconds(1);
            AnsiConsole.MarkupLineInterpolated($"[yellow]The host process exited with code {code} (restart {attempt}); starting it again in {backoff.TotalSeconds:F0} s.[/]");
            try
            {
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Success;
            }

            backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
        }
    }

    private static ProcessStartInfo ChildStartInfo()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("Unknown process path.");
        var start = new ProcessStartInfo(processPath) { UseShellExecute = false };

        // Under `dotnet carclass.dll` the process is dotnet itself: pass the assembly again.
        if (Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var argument in Environment.GetCommandLineArgs().Skip(1)) start.ArgumentList.Add(argument);
        start.Environment[ChildVariable] = "1";
        return start;
    }
}
