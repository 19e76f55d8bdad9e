using CarClassifier.Cli.Commands.Shared;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>A missing or invalid manifest is permanent: one line, exit 3, and a supervised host does not restart.</summary>
public sealed class ModelManifestErrorTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("carclass-manifest-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Missing => Path.Combine(_temp, "nowhere", "manifest.json");

    private string Corrupt()
    {
        var path = Path.Combine(_temp, "corrupt.json");
        File.WriteAllText(path, "{\"name\": 5");
        return path;
    }

    [Fact]
    public async Task Host_Supervised_MissingManifest_StopsWithOneLineAndExit3()
    {
        // Act: the default (supervised) host; before the fix it restarted forever.
        var (exit, output) = await CliHostProcess.RunAsync(["host", "--model", Missing], timeout: TimeSpan.FromSeconds(120));

        // Assert
        Assert.True(exit == ExitCodes.ModelUnavailable, $"exit {exit}:\n{output}");
        Assert.Contains($"No model manifest at {Missing}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("restart", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_Supervised_CorruptManifest_StopsWithExit3()
    {
        var corrupt = Corrupt();

        var (exit, output) = await CliHostProcess.RunAsync(["host", "--model", corrupt], timeout: TimeSpan.FromSeconds(120));

        Assert.True(exit == ExitCodes.ModelUnavailable, $"exit {exit}:\n{output}");
        Assert.Contains($"Model manifest {corrupt} cannot be used", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("model info")]
    [InlineData("model verify")]
    public async Task Command_MissingOrCorruptManifest_OneLineExit3(string command)
    {
        foreach (var manifest in new[] { Missing, Corrupt() })
        {
            string[] args = command == "run" ? ["run", "--model", manifest] : [.. command.Split(' '), manifest];
            var (exit, output) = await CliRunner.RunAsync(args);

            Assert.True(exit == ExitCodes.ModelUnavailable, $"{command} {manifest}: exit {exit}\n{output}");
            Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    [Fact]
    public async Task ModelInfo_UnknownName_IsAUsageError()
    {
        var (exit, output) = await CliRunner.RunAsync("model", "info", "no-such-model");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("No model named 'no-such-model'", output, StringComparison.Ordinal);
    }
}
