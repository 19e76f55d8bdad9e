using System.Text.Json;
using CarClassifier.Core;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>Reads what the Functions Worker SDK generated for the real isolated-worker app.</summary>
public sealed class FunctionMetadataTests
{
    private static JsonElement[] ReadMetadata()
    {
        var path = Path.Combine(RepoPaths.Root, "src", "CarClassifier.Functions", "bin", RepoPaths.Configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata not found at {path}; build the Functions project first.");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    private static JsonElement Binding(JsonElement[] functions, string functionName, string type)
    {
        var function = Assert.Single(functions, f => f.GetProperty("name").GetString() == functionName);
        return Assert.Single(function.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString() == type);
    }

    [Fact]
    public void Metadata_HasExactlyThePipelineAndResultsApiFunctions()
    {
        var names = ReadMetadata().Select(f => f.GetProperty("name").GetString()).Order().ToArray();

        Assert.Equal(
            new[] { PipelineNames.ClassifyFunction, PipelineNames.IngestFunction, PipelineNames.GetResultFunction, PipelineNames.ListResultsFunction }.Order(),
            names);
    }

    [Theory]
    [InlineData(PipelineNames.GetResultFunction, "results/{*blobPath}")]
    [InlineData(PipelineNames.ListResultsFunction, "results")]
    public void ResultsApi_IsAGetHttpTriggerWithFunctionKeys(string function, string route)
    {
        var binding = Binding(ReadMetadata(), function, "httpTrigger");

        Assert.Equal("Function", binding.GetProperty("authLevel").GetString(), ignoreCase: true);
        Assert.Equal(route, binding.GetProperty("route").GetString());
        Assert.Equal(["get"], binding.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()).ToArray());
    }

    [Fact]
    public void IngestImage_IsAnEventGridBlobTriggerOnTheImagesContainer()
    {
        var binding = Binding(ReadMetadata(), PipelineNames.IngestFunction, "blobTrigger");

        Assert.Equal("In", binding.GetProperty("direction").GetString());
        Assert.Equal(PipelineNames.ImagesContainer + "/{name}", binding.GetProperty("path").GetString());
        Assert.Equal(PipelineNames.StorageConnection, binding.GetProperty("connection").GetString());
        Assert.Equal("EventGrid", binding.GetProperty("source").GetString());
    }

    [Fact]
    public void ClassifyImages_IsAQueueTriggerOnTheWorkQueue()
    {
        var binding = Binding(ReadMetadata(), PipelineNames.ClassifyFunction, "queueTrigger");

        Assert.Equal(PipelineNames.WorkQueue, binding.GetProperty("queueName").GetString());
        Assert.Equal(PipelineNames.StorageConnection, binding.GetProperty("connection").GetString());
    }
}
