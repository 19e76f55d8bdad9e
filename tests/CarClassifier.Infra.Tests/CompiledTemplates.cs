using System.Text.Json.Nodes;

namespace CarClassifier.Infra.Tests;

/// <summary>
/// Compiles each Bicep entry point once per test run (the CLI takes seconds) and shares the results.
/// Each compile must succeed with no diagnostics; the diagnostics themselves are asserted in BicepCliTests.
/// </summary>
internal static class CompiledTemplates
{
    private static readonly Lazy<ArmTemplate> MainTemplate = new(() => Build("main.bicep"));

    private static readonly Lazy<ArmTemplate> SubscriptionTemplate = new(() => Build("blob-subscription.bicep"));

    private static readonly Lazy<JsonObject> MainParameterValues = new(BuildParams);

    public static ArmTemplate Main => MainTemplate.Value;

    public static ArmTemplate BlobSubscription => SubscriptionTemplate.Value;

    /// <summary>The "parameters" object of the deployment parameters file that main.bicepparam compiles to.</summary>
    public static JsonObject MainParameters => MainParameterValues.Value;

    public static BicepResult BuildResult(string file) =>
        BicepCli.Run("build", Path.Combine(RepositoryPaths.Infra, file), "--stdout");

    private static ArmTemplate Build(string file)
    {
        var result = BuildResult(file);
        Assert.True(result.ExitCode == 0, $"bicep build {file} failed: {result}");
        return ArmTemplate.Parse(result.StandardOutput);
    }

    private static JsonObject BuildParams()
    {
        var result = BicepCli.Run("build-params", Path.Combine(RepositoryPaths.Infra, "main.bicepparam"), "--stdout");
        Assert.True(result.ExitCode == 0, $"bicep build-params failed: {result}");
        // --stdout prints {"parametersJson": "<deployment parameters file as a string>", "templateJson": ...}.
        var envelope = JsonNode.Parse(result.StandardOutput)!.AsObject();
        var parametersFile = JsonNode.Parse((string)envelope["parametersJson"]!)!.AsObject();
        return parametersFile["parameters"]!.AsObject();
    }
}
