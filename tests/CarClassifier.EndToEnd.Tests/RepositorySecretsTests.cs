using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>No secret is committed: the only storage key anywhere is the public Azurite development key.</summary>
public sealed partial class RepositorySecretsTests
{
    private const string AzuriteDevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [GeneratedRegex(@"(?:AccountKey|SharedAccessKey)\s*=\s*(?<value>[A-Za-z0-9+/]{20,}={0,2})")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"[?&]sig=[A-Za-z0-9%+/]{20,}")]
    private static partial Regex SasPattern();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----")]
    private static partial Regex PrivateKeyPattern();

    [Fact]
    public void TrackedFiles_HoldNoKeyButTheAzuriteDevelopmentKey()
    {
        // Arrange
        var files = TrackedFiles();
        Assert.NotEmpty(files);
        var findings = new List<string>();

        // Act
        foreach (var file in files)
        {
            var path = Path.Combine(RepoPaths.Root, file);
            if (!File.Exists(path) || new FileInfo(path).Length > 2 * 1024 * 1024) continue;
            var text = File.ReadAllText(path);
            foreach (Match match in KeyPattern().Matches(text))
            {
                if (match.Groups["value"].Value != AzuriteDevKey) findings.Add($"{file}: storage key {match.Value[..Math.Min(30, match.Value.Length)]}...");
            }

            if (SasPattern().IsMatch(text)) findings.Add($"{file}: SAS signature");
            if (PrivateKeyPattern().IsMatch(text)) findings.Add($"{file}: private key");
        }

        // Assert
        Assert.True(findings.Count == 0, string.Join('\n', findings));
    }

    [Fact]
    public void LocalSettings_AreNotTracked_AndTheSampleUsesTheDevelopmentStorage()
    {
        // Act
        var files = TrackedFiles();
        var sample = File.ReadAllText(Path.Combine(RepoPaths.Root, "local.settings.sample.json"));

        // Assert
        Assert.DoesNotContain(files, f => Path.GetFileName(f) == "local.settings.json");
        Assert.Contains("\"AzureWebJobsStorage\": \"UseDevelopmentStorage=true\"", sample, StringComparison.Ordinal);
    }

    private static List<string> TrackedFiles()
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("ls-files");
        using var git = Process.Start(start)!;
        var files = git.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        git.WaitForExit();
        Assert.Equal(0, git.ExitCode);
        return files;
    }
}
