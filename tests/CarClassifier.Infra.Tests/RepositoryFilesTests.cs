using CarClassifier.Core;

namespace CarClassifier.Infra.Tests;

/// <summary>The files around the templates that name the same things: Dockerfile and the post-deploy script.</summary>
public class RepositoryFilesTests
{
    [Fact]
    public void Dockerfile_Stages_PublishLinuxX64WithGpuOrCpuOnTheFunctionsDotnet10Base()
    {
        var dockerfile = File.ReadAllText(RepositoryPaths.File("Dockerfile"));

        Assert.Contains("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", dockerfile, StringComparison.Ordinal);
        // One runtime identifier: no win/osx/arm native libraries in the image (~430 MB a cold start pays for).
        Assert.Contains("-c Release -r linux-x64 --self-contained false -p:UseGpu=$gpu", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ARG COMPUTE=gpu", dockerfile, StringComparison.Ordinal);
        Assert.Contains("FROM mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0", dockerfile, StringComparison.Ordinal);
        Assert.Contains("libcudnn9-cuda-${CUDA_MAJOR}", dockerfile, StringComparison.Ordinal);
        Assert.Contains("sha256sum -c", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_Packages_FollowTheBaseDistribution()
    {
        var dockerfile = File.ReadAllText(RepositoryPaths.File("Dockerfile"));

        // libjpeg-turbo is libturbojpeg0 on Debian and libturbojpeg on Ubuntu; NVIDIA's repository is per distribution.
        Assert.Contains("debian) repo=\"debian${VERSION_ID%%.*}\"; turbojpeg=libturbojpeg0", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ubuntu) repo=\"ubuntu$(echo \"$VERSION_ID\" | tr -d .)\"; turbojpeg=libturbojpeg", dockerfile, StringComparison.Ordinal);
        Assert.Contains("install -y --no-install-recommends \"$turbojpeg\"", dockerfile, StringComparison.Ordinal);
        // ORT 1.31's CUDA provider does not load cuFFT.
        Assert.DoesNotContain("libcufft", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_Gpu_ShipsTheCuda13ForwardCompatDriverFirstOnTheLibraryPath()
    {
        // Serverless GPU hosts run a CUDA 12.x driver; ORT 1.31's CUDA provider needs CUDA 13 (driver r580+). NVIDIA's
        // cuda-compat package carries the CUDA 13 user-mode driver for older data-center hosts; the loader must find it
        // before the host's libcuda, so its folder comes first. The build fails if the package did not deliver libcuda.
        var dockerfile = File.ReadAllText(RepositoryPaths.File("Dockerfile"));
        var path = dockerfile.Split('\n').Single(l => l.StartsWith("ENV LD_LIBRARY_PATH=", StringComparison.Ordinal));

        Assert.Contains("\"cuda-compat-${v}\"", dockerfile, StringComparison.Ordinal);
        Assert.StartsWith("ENV LD_LIBRARY_PATH=/usr/local/cuda-${CUDA_MAJOR}.${CUDA_MINOR}/compat:", path, StringComparison.Ordinal);
        Assert.Contains("test -e \"/usr/local/cuda-${CUDA_MAJOR}.${CUDA_MINOR}/compat/libcuda.so.1\"", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ARG CUDA_MAJOR=13", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ARG CUDA_MINOR=0", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_BuildStage_CopiesModelsSoTheVehicleMapShips()
    {
        var dockerfile = File.ReadAllText(RepositoryPaths.File("Dockerfile"));
        var build = dockerfile[dockerfile.IndexOf("AS build", StringComparison.Ordinal)..dockerfile.IndexOf("dotnet publish", StringComparison.Ordinal)];

        Assert.Contains("COPY models/ models/", build, StringComparison.Ordinal);
        Assert.Contains("models/", File.ReadAllText(RepositoryPaths.File("src", "models.targets")), StringComparison.Ordinal);
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

    [Theory]
    [InlineData("scripts/smoke-azure.sh")]
    [InlineData("infra/scripts/post-deploy.sh")]
    [InlineData("infra/scripts/deploy-image.sh")]
    public void DeployScripts_Shellcheck_ReportsNothing(string script)
    {
        var shellcheck = new[] { "/usr/bin/shellcheck", "/usr/local/bin/shellcheck" }.FirstOrDefault(File.Exists);
        if (shellcheck is null)
        {
            // Same rule as the shared test data: absent tool, printed reason (scripts/test.sh installs it with apt-get).
            Console.WriteLine($"shellcheck not installed; {script} not checked (apt-get install shellcheck).");
            return;
        }

        var start = new System.Diagnostics.ProcessStartInfo(shellcheck, ["--severity=style", RepositoryPaths.File(script.Split('/'))])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, output);
    }

    [Fact]
    public void SmokeScript_Checks_DeadLettersPoisonQueuesAndTheScaleRule()
    {
        var script = File.ReadAllText(RepositoryPaths.File("scripts", "smoke-azure.sh"));

        // The outputs it reads exist in main.bicep.
        foreach (var output in new[] { "STORAGE_ACCOUNT_NAME", "STORAGE_ACCOUNT_ID", "IMAGES_CONTAINER", "RESULTS_TABLE", "POISON_QUEUE", "BLOB_TRIGGER_POISON_QUEUE", "DEAD_LETTER_CONTAINER", "CLASSIFIER_APP_NAME", "WORK_QUEUE", "TRANSPORT", "CLASSIFIER_SCALE_RULE_TYPE", "SERVICE_BUS_NAMESPACE" })
        {
            Assert.Contains($"output {output})", script, StringComparison.Ordinal);
            Assert.True(CompiledTemplates.Main.Outputs.ContainsKey(output), $"main.bicep has no output {output}.");
        }

        Assert.Contains("--auth-mode login", script, StringComparison.Ordinal);
        Assert.DoesNotContain("account-key", script, StringComparison.Ordinal);

        // Rule TYPES, not a count (the platform's HTTP rule would hide a missing queue rule), each with its identity and role.
        Assert.DoesNotContain("length(properties.template.scale.rules ||", script, StringComparison.Ordinal);
        Assert.Contains("azureQueue.queueName=='$work_queue'", script, StringComparison.Ordinal);
        Assert.Contains("custom.type=='azure-servicebus' && custom.metadata.queueName=='$work_queue'", script, StringComparison.Ordinal);
        Assert.Contains("allowScalingRuleOverride", script, StringComparison.Ordinal);
        Assert.Contains("role=\"Storage Queue Data Reader\"", script, StringComparison.Ordinal);
        Assert.Contains("role=\"Azure Service Bus Data Owner\"", script, StringComparison.Ordinal);
        // Both dead-letter paths: the storage poison queues and the Service Bus dead-letter sub-queue.
        Assert.Contains("for queue in \"$poison\" \"$blob_poison\"", script, StringComparison.Ordinal);
        Assert.Contains("countDetails.deadLetterMessageCount", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("StorageQueue", "azure-queue")]
    [InlineData("ServiceBus", "azure-servicebus")]
    public void ScaleRuleTypeOutput_NamesTheScalerEachTransportDeploys(string transport, string type)
    {
        // scripts/smoke-azure.sh looks for a rule of this type; ScaleFromZeroTests checks the template deploys exactly it.
        var value = (string?)CompiledTemplates.Main.Outputs["CLASSIFIER_SCALE_RULE_TYPE"]!["value"];

        Assert.Equal("[if(equals(parameters('transport'), 'ServiceBus'), 'azure-servicebus', 'azure-queue')]", value);
        Assert.Contains($"'{type}'", value, StringComparison.Ordinal);
        Assert.Contains(transport, new[] { "StorageQueue", "ServiceBus" });
    }

    [Fact]
    public void DeployImageScript_RedeploysThroughTheTemplate_AndTakesOverGeneratedRulesOnMissingAuth()
    {
        // An image update that reads and writes back platform-generated rules fails with ContainerAppScaleRuleMissingAuth
        // (azure-container-apps#1560); the template writes its own rules with their identity, and the documented PATCH
        // (allowScalingRuleOverride with the template's rule) is the way through for an app that still holds generated ones.
        var script = File.ReadAllText(RepositoryPaths.File("infra", "scripts", "deploy-image.sh"));
        var outputs = CompiledTemplates.Main.Outputs;

        var commands = string.Join('\n', script.Split('\n').Where(l => !l.TrimStart().StartsWith('#')));
        Assert.DoesNotContain("containerapp update", commands, StringComparison.Ordinal);
        Assert.Contains("az deployment group create -g \"$rg\" -n \"$deployment\" -f \"$infra/main.bicep\"", script, StringComparison.Ordinal);
        Assert.Contains("classifierCompute=\"$compute\" transport=\"$transport\" classifierImage=\"$image\"", script, StringComparison.Ordinal);
        Assert.Contains("*ContainerAppScaleRuleMissingAuth*", script, StringComparison.Ordinal);
        Assert.Contains("\"allowScalingRuleOverride\":true,\"rules\":[%s]", script, StringComparison.Ordinal);
        Assert.Contains("api-version=2026-03-02-preview", script, StringComparison.Ordinal);
        foreach (var output in new[] { "CLASSIFIER_COMPUTE", "TRANSPORT", "CLASSIFIER_APP_NAME", "CLASSIFIER_SCALE_RULE_TYPE", "WORK_QUEUE" })
        {
            Assert.Contains($"output {output})", script, StringComparison.Ordinal);
            Assert.True(outputs.ContainsKey(output), $"main.bicep has no output {output}.");
        }

        Assert.Equal(
            "[if(equals(parameters('transport'), 'ServiceBus'), reference(resourceId('Microsoft.Resources/deployments', 'servicebus'), '2025-04-01').outputs.scaleRule.value, reference(resourceId('Microsoft.Resources/deployments', 'classifier'), '2025-04-01').outputs.scaleRule.value)]",
            (string?)outputs["CLASSIFIER_SCALE_RULE"]!["value"]);
    }

    [Theory]
    [InlineData("images/smoke/20261130T031500Z-12345.jpg")]
    [InlineData("images/smoke/20261130T031500Z-7.png")]
    public void SmokeScript_RowKeys_MatchResultKeys(string path)
    {
        // The script finds its row by point read, computing the keys in bash: they must be ResultKeys' keys.
        var script = File.ReadAllLines(RepositoryPaths.File("scripts", "smoke-azure.sh"));
        var lines = script.Where(l => l.StartsWith("partition_key=", StringComparison.Ordinal) || l.StartsWith("row_key=", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        var start = new System.Diagnostics.ProcessStartInfo("bash", ["-c", $"set -eu; path='{path}'; {string.Join("; ", lines)}; printf '%s\\n%s' \"$partition_key\" \"$row_key\""])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd().Split('\n');
        process.WaitForExit();

        var (partition, row) = CarClassifier.Core.Results.ResultKeys.For(path);
        Assert.Equal(0, process.ExitCode);
        Assert.Equal([partition, row], output);
    }
}
