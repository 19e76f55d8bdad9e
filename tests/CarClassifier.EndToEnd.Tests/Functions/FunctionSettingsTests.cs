using CarClassifier.Core;
using CarClassifier.Functions;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.EndToEnd.Tests.Functions;

public sealed class FunctionSettingsTests
{
    [Theory]
    [InlineData("AzureWebJobs.ClassifyImages.Disabled", "true", true)]
    [InlineData("AzureWebJobs_ClassifyImages_Disabled", "True", true)]
    [InlineData("AzureWebJobs.ClassifyImages.Disabled", "false", false)]
    [InlineData("AzureWebJobs.IngestImage.Disabled", "true", false)]
    public void IsDisabled_AppSetting_ReadsTheStandardForms(string key, string value, bool expected)
    {
        // The ingest app in infra/ sets AzureWebJobs.ClassifyImages.Disabled so it never loads the model.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        Assert.Equal(expected, FunctionSettings.IsDisabled(configuration, PipelineNames.ClassifyFunction));
    }
}
