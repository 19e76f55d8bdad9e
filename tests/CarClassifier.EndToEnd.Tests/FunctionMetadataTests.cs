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
    public void Metadata_HasExactlyTheTwoPipelineFunctions()
    {
        var names = ReadMetadata().Select(f => f.GetProperty("name").GetString()).Order().ToArray();

        Assert.Equal(new[] { PipelineNames.ClassifyFunction, PipelineNames.IngestFunction }.Order(), names);
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
