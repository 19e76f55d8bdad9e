namespace CarClassifier.Infra.Tests;

/// <summary>The Bicep entry points compile and lint with the pinned CLI and print no warning or error at all.</summary>
public class BicepCliTests
{
    [Fact]
    public void Version_PinnedPackage_Is0492()
    {
        var result = BicepCli.Run("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("0.49.2", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("main.bicep")]
    [InlineData("blob-subscription.bicep")]
    public void Build_EntryPoint_SucceedsWithoutDiagnostics(string file)
    {
        var result = CompiledTemplates.BuildResult(file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Diagnostics);
    }

    [Theory]
    [InlineData("main.bicep")]
    [InlineData("blob-subscription.bicep")]
    public void Lint_EntryPointAndItsModules_ReportsNothing(string file)
    {
        // bicep lint exits 0 even with warnings, so the output is what counts.
        var result = BicepCli.Run("lint", Path.Combine(RepositoryPaths.Infra, file));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void BuildParams_MainBicepparam_SucceedsWithoutDiagnostics()
    {
        var result = BicepCli.Run("build-params", Path.Combine(RepositoryPaths.Infra, "main.bicepparam"), "--stdout");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Diagnostics);
    }
}
