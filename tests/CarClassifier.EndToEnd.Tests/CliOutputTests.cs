using CarClassifier.Cli.Output;
using Microsoft.Extensions.Logging;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>How much the commands say: --log-level, --quiet and --log-file everywhere, the model banner on the host.</summary>
public sealed class CliOutputTests
{
    [Fact]
    public void Logger_EntryThatFormatsToNull_IsLoggedNotThrown()
    {
        // WebJobs' function-result entry for an invocation cancelled at shutdown formatted to null, and the CLI logger's
        // NullReferenceException then killed the whole process (the CI's Ctrl+C run test crashed its test host).
        using var provider = new CliLoggerProvider();
        var logger = provider.CreateLogger("Function.ClassifyImages");

        var thrown = Record.Exception(() => logger.Log(LogLevel.Error, default, "state", new TaskCanceledException(), (_, _) => null!));

        Assert.Null(thrown);
    }

    [Fact]
    public async Task EveryCommand_HasLogLevelQuietAndLogFile()
    {
        foreach (var command in CliUsageTests.Commands.Concat(["train", "evaluate"]).Where(c => c is not ("" or "model" or "poison")))
        {
            var (exit, output) = await CliRunner.RunAsync([.. command.Split(' '), "--help"]);

            Assert.Equal(0, exit);
            Assert.True(output.Contains("--log-level", StringComparison.Ordinal) && output.Contains("--quiet", StringComparison.Ordinal) && output.Contains("--log-file", StringComparison.Ordinal), $"carclass {command} --help:\n{output}");
        }
    }

    [Fact]
    public async Task Host_ModelWithMeaninglessLabels_ShowsTheSameWarningBoxAsRun()
    {
        // Nothing answers at port 1: the banner comes first, before storage or the model is touched.
        var dead = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            "BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";
        using var host = CliHostProcess.Start(["host", "--no-restart", "--model", "resnet50-generated", "--connection", dead]);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!host.Output.Contains("MEAN NOTHING", StringComparison.Ordinal) && !host.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        host.KillHard();
        Assert.Contains("WARNING", host.Output, StringComparison.Ordinal);
        Assert.Contains("resnet50-generated has seeded random weights: its labels MEAN NOTHING", host.Output, StringComparison.Ordinal);
    }
}
