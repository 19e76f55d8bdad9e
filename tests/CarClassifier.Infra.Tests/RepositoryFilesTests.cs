using CarClassifier.Core;

namespace CarClassifier.Infra.Tests;

/// <summary>The files around the templates that name the same things: Dockerfile and the post-deploy script.</summary>
public class RepositoryFilesTests
{
    [Fact]
    public void Dockerfile_Stages_PublishWithGpuOnTheFunctionsDotnet10Base()
    {
        var dockerfile = File.ReadAllText(RepositoryPaths.File("Dockerfile"));

        Assert.Contains("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", dockerfile, StringComparison.Ordinal);
        Assert.Contains("-p:UseGpu=true", dockerfile, StringComparison.Ordinal);
        Assert.Contains("FROM mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0", dockerfile, StringComparison.Ordinal);
        Assert.Contains("libcudnn9-cuda-${CUDA_MAJOR}", dockerfile, StringComparison.Ordinal);
        Assert.Contains("libturbojpeg0", dockerfile, StringComparison.Ordinal); // the default decoder's library
        Assert.Contains("sha256sum -c", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_ModelFolder_MatchesTheManifestDefault()
    {
        var dockerfile = File.ReadAllText(RepositoryPaths.File("Dockerfile"));
        var manifest = (string?)CompiledTemplates.Main.Parameters["classifierModelManifest"]!["defaultValue"];

        Assert.Contains("ARG MODEL_NAME=resnet50-v1-12", dockerfile, StringComparison.Ordinal);
        Assert.Equal("/models/resnet50-v1-12/manifest.json", manifest);
    }

    [Fact]
    public void PostDeployScript_Webhook_TargetsTheBlobsExtensionOfTheIngestFunction()
    {
        var script = File.ReadAllText(RepositoryPaths.File("infra", "scripts", "post-deploy.sh"));

        Assert.Contains("systemKeys.blobs_extension", script, StringComparison.Ordinal);
        Assert.Contains("/runtime/webhooks/blobs?functionName=Host.Functions.${function_name}&code=${key}", script, StringComparison.Ordinal);
        Assert.Contains("INGEST_FUNCTION_NAME", script, StringComparison.Ordinal);
        Assert.Equal("[variables('pipeline').ingestFunction]", (string?)CompiledTemplates.Main.Outputs["INGEST_FUNCTION_NAME"]!["value"]);
        Assert.Equal(PipelineNames.IngestFunction, (string?)CompiledTemplates.Main.Variables["pipeline"]!["ingestFunction"]);
    }
}
