using System.Text.Json.Nodes;

namespace CarClassifier.Infra.Tests;

/// <summary>
/// classifierCompute = gpu-t4 | gpu-a100 | cpu: each value compiles and lints as a parameters file against main.bicep,
/// anything else is refused, and each selects the workload profile, replica size and ONNX Runtime settings it promises.
/// </summary>
public sealed class ClassifierComputeTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("carclass-bicepparam-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [InlineData("gpu-t4")]
    [InlineData("gpu-a100")]
    [InlineData("cpu")]
    public void BuildParamsAndLint_EachCompute_SucceedWithoutDiagnostics(string compute)
    {
        var file = WriteParams(compute);

        var build = BicepCli.Run("build-params", file, "--stdout");
        var lint = BicepCli.Run("lint", file);

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Empty(build.Diagnostics);
        Assert.True(lint.ExitCode == 0, lint.ToString());
        Assert.Empty(lint.Diagnostics);
        var parameters = JsonNode.Parse((string)JsonNode.Parse(build.StandardOutput)!["parametersJson"]!)!["parameters"]!;
        Assert.Equal(compute, (string?)parameters["classifierCompute"]!["value"]);
    }

    [Theory]
    [InlineData("gpu-h100")]
    [InlineData("GPU-T4")]
    public void BuildParams_UnknownCompute_FailsNamingTheAllowedValues(string compute)
    {
        var build = BicepCli.Run("build-params", WriteParams(compute), "--stdout");

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("'cpu' | 'gpu-a100' | 'gpu-t4'", build.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Parameter_AllowedValuesAndDefault_AreTheThreeComputesAndT4()
    {
        var parameter = CompiledTemplates.Main.Parameters["classifierCompute"]!;

        Assert.Equal(["gpu-t4", "gpu-a100", "cpu"], parameter["allowedValues"]!.AsArray().Select(v => (string?)v));
        Assert.Equal("gpu-t4", (string?)parameter["defaultValue"]);
        Assert.Equal("gpu-t4", (string?)CompiledTemplates.MainParameters["classifierCompute"]!["value"]);
    }

    [Theory]
    [InlineData("gpu-t4", "Consumption-GPU-NC8as-T4", "8", "56Gi", "Cuda", "true")]
    [InlineData("gpu-a100", "Consumption-GPU-NC24-A100", "24", "220Gi", "Cuda", "true")]
    [InlineData("cpu", "Consumption", "4", "8Gi", "Cpu", "false")]
    public void ComputeTable_Entry_SelectsProfileSizeAndProvider(string compute, string profileType, string cpu, string memory, string provider, string requireCuda)
    {
        // Sizes: "Use GPUs with Azure Functions on Azure Container Apps" (T4 8 vCPU/56 GiB, A100 24 vCPU/220 GiB) and
        // "Workload profiles in Azure Container Apps" (Consumption: up to 4 vCPU/8 GiB per replica).
        var entry = CompiledTemplates.Main.Module("classifier").Variables["computes"]![compute]!;

        Assert.Equal(profileType, (string?)entry["profileType"]);
        Assert.Equal(cpu, (string?)entry["cpu"]);
        Assert.Equal(memory, (string?)entry["memory"]);
        Assert.Equal(provider, (string?)entry["executionProvider"]);
        Assert.Equal(requireCuda, (string?)entry["requireCuda"]);
    }

    [Fact]
    public void Environment_GpuProfile_IsAddedOnlyForGpuComputes()
    {
        var classifier = CompiledTemplates.Main.Module("classifier");
        var environment = CompiledTemplates.Main.Single("Microsoft.App/managedEnvironments");
        var profiles = ArmTemplate.Raw(environment["properties"]!["workloadProfiles"]!);
        var passed = classifier.ModuleParameters("classifier-environment");

        Assert.Contains("'workloadProfileType', 'Consumption'", profiles, StringComparison.Ordinal);
        Assert.Contains("if(empty(parameters('gpuProfileName')), createArray()", profiles, StringComparison.Ordinal);
        Assert.Equal("[if(variables('gpu'), createObject('value', variables('size').profileName), createObject('value', ''))]", (string?)passed["gpuProfileName"]);
        Assert.Equal("[not(equals(parameters('compute'), 'cpu'))]", (string?)classifier.Variables["gpu"]);
    }

    [Theory]
    [InlineData("gpu-t4")]
    [InlineData("gpu-a100")]
    [InlineData("cpu")]
    public void ServiceBusWorker_Compute_FollowsTheClassifiersProfileAndSizes(string compute)
    {
        // main.bicep maps classifierCompute to the worker's profile type itself (module outputs are untyped strings):
        // the mapping must agree with the classifier's compute table, and the worker must size that profile the same way.
        var main = CompiledTemplates.Main;
        var entry = main.Module("classifier").Variables["computes"]![compute]!;
        var profileType = (string)entry["profileType"]!;
        var mapping = (string?)main.ModuleParameters("servicebus")["gpuProfileType"];
        var sizes = main.Module("servicebus").Variables["gpuSizes"]![profileType]!;

        Assert.Contains(compute == "cpu" ? $"createObject('value', '{profileType}')))]" : $"'{compute}'), createObject('value', '{profileType}')", mapping, StringComparison.Ordinal);
        Assert.Equal((string?)entry["cpu"], (string?)sizes["cpu"]);
        Assert.Equal((string?)entry["memory"], (string?)sizes["memory"]);
    }

    private string WriteParams(string compute)
    {
        // Parameters files must reference the template by a relative path.
        var file = Path.Combine(_folder.FullName, $"{(compute.Length == 0 ? "empty" : compute)}.bicepparam");
        var template = Path.GetRelativePath(_folder.FullName, Path.Combine(RepositoryPaths.Infra, "main.bicep")).Replace('\\', '/');
        File.WriteAllText(file, $"using '{template}'\n\nparam environmentName = 'dev'\nparam classifierCompute = '{compute}'\n");
        return file;
    }
}
