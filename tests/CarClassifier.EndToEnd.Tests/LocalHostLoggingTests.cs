using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Classification;
using CarClassifier.Core.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// What the local host prints per image: by default nothing at Information (host.json's "Function": "Warning" drops
/// the WebJobs "Executing"/"Executed" lines; the classifier's and ingestor's lines are Debug), while warnings and the
/// host's own start-up lines still show; the Logging settings turn the per-image lines back on. Building the host
/// makes no request, so no storage is needed.
/// </summary>
public sealed class LocalHostLoggingTests
{
    private static ILoggerFactory Loggers(IHost host) => host.Services.GetRequiredService<ILoggerFactory>();

    private static IHost Build(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            [PipelineNames.StorageConnection] = LocalHostBuilder.DevelopmentStorage,
            ["Classifier:ModelManifest"] = Path.Combine(RepoPaths.Models, "color-tiny", "manifest.json"),
        };
        foreach (var (key, value) in extra) settings[key] = value;

        // The same console setup as `carclass host`.
        return LocalHostBuilder.Build(settings, logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Information));
    }

    [Fact]
    public void Build_Default_NoPerImageInformationLines()
    {
        // Arrange
        using var host = Build();
        var loggers = Loggers(host);

        // Act / Assert: per invocation (WebJobs) and per image (ours) are off...
        Assert.False(loggers.CreateLogger($"Function.{PipelineNames.ClassifyFunction}").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger($"Function.{PipelineNames.IngestFunction}").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger(typeof(ImageClassifier).FullName!).IsEnabled(LogLevel.Debug));
        Assert.False(loggers.CreateLogger(typeof(ImageIngestor).FullName!).IsEnabled(LogLevel.Debug));

        // ...while failures and the host's own lines still show.
        Assert.True(loggers.CreateLogger($"Function.{PipelineNames.ClassifyFunction}").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger(typeof(ImageClassifier).FullName!).IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void Build_LoggingSettings_TurnPerImageLinesBackOn()
    {
        // Arrange: what Logging__LogLevel__Function=Information and Logging__LogLevel__CarClassifier=Debug set.
        using var host = Build(("Logging:LogLevel:Function", "Information"), ("Logging:LogLevel:CarClassifier", "Debug"));
        var loggers = Loggers(host);

        // Act / Assert
        Assert.True(loggers.CreateLogger($"Function.{PipelineNames.ClassifyFunction}").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger(typeof(ImageClassifier).FullName!).IsEnabled(LogLevel.Debug));
        Assert.True(loggers.CreateLogger(typeof(ImageIngestor).FullName!).IsEnabled(LogLevel.Debug));
    }
}
