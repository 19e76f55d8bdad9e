using System.Diagnostics;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>Debian's chromium in headless mode: renders a local page and dumps its DOM after scripts ran, or screenshots it.</summary>
internal static class HeadlessChromium
{
    public static string? Find() =>
        new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);

    public static string Require() =>
        Find() ?? throw new InvalidOperationException(
            "chromium is not installed, so the report cannot be checked in a real browser. Install it with 'apt-get install -y chromium' (scripts/test.sh does).");

    /// <summary>Runs chromium with the flags a root, offline, sandbox-less test machine needs; returns stdout.</summary>
    public static async Task<string> RunAsync(string url, params string[] extra)
    {
        var profile = Directory.CreateTempSubdirectory("carclass-chromium-").FullName;
        try
        {
            var start = new ProcessStartInfo(Require())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile}", "--virtual-time-budget=10000",
            }.Concat(extra).Append(url))
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}: {await stderr}");
            return await stdout;
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still hold a lock file for a moment; it is a temp folder.
            }
        }
    }
}
