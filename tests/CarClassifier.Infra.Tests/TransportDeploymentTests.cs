using CarClassifier.Core;
using CarClassifier.Core.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.Infra.Tests;

/// <summary>
/// What each value of main.bicep's <c>transport</c> parameter deploys, checked against what the hosts read at start:
/// on the storage queue the Functions classifier classifies; on Service Bus the worker does, and the Functions
/// classifier (whose ClassifyImages trigger reads the storage queue nothing then sends to) is not deployed to idle.
/// The ingest app runs on both, with its classify function disabled through the documented
/// <c>AzureWebJobs.&lt;FUNCTION_NAME&gt;.Disabled</c> setting
/// (https://learn.microsoft.com/azure/azure-functions/disable-function).
/// </summary>
public class TransportDeploymentTests
{
    private static ArmTemplate Main => CompiledTemplates.Main;

    [Fact]
    public void FunctionsClassifier_IsDeployedOnlyOnTheStorageQueue_ItsEnvironmentOnBoth()
    {
        var classifier = Main.Module("classifier");
        var resources = classifier.Resources.ToDictionary(r => (string)r["name"]!, r => (string?)r["condition"]);

        Assert.Equal("[equals(parameters('transport'), 'StorageQueue')]", (string?)Main.ModuleParameters("classifier")["deployFunctionsApp"]!["value"]);
        Assert.True((bool)classifier.Parameters["deployFunctionsApp"]!["defaultValue"]!);
        Assert.Equal("[parameters('deployFunctionsApp')]", resources["classifier-container-app"]);

        // The worker runs on the classifier's environment and workload profile, so those stay on both transports.
        Assert.Null(resources["classifier-environment"]);
        Assert.Null(Main.Resources.Single(r => (string?)r["name"] == "classifier")["condition"]);
        Assert.Contains("'classifier'", (string?)Main.ModuleParameters("servicebus")["environmentId"]!["value"], StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionsClassifierSettings_ReadTheStorageQueue_SoOnServiceBusItWouldOnlyIdle()
    {
        // What the Functions classifier's host would read at start: the default transport, its classify trigger on.
        var settings = Main.Module("classifier").Variables["hostSettings"]!.AsObject();
        var configuration = Bind(settings.Select(kv => (kv.Key, (string?)kv.Value)));

        Assert.Equal(MessageTransport.StorageQueue, ServiceBusServiceCollectionExtensions.ReadTransport(configuration));
        Assert.False(settings.ContainsKey($"AzureWebJobs.{PipelineNames.ClassifyFunction}.Disabled"));
    }

    [Fact]
    public void IngestApp_RunsOnBothTransports_AndNeverClassifies()
    {
        var ingest = Main.Resources.Single(r => (string?)r["name"] == "ingest");
        var settings = Main.Module("ingest").Variables["appSettings"]!.AsObject();

        Assert.Null(ingest["condition"]);
        Assert.Equal("true", (string?)settings[$"AzureWebJobs.{PipelineNames.ClassifyFunction}.Disabled"]);
        Assert.False(settings.ContainsKey($"AzureWebJobs.{PipelineNames.IngestFunction}.Disabled"));
    }

    [Fact]
    public void WorkerIdentity_IsTheClassifiers_WhoseStorageGrantsAreDeployedOnBothTransports()
    {
        // The worker downloads images and writes rows as the classifier identity: infra/storage-use.json's "classifier"
        // grants (app/rbac.bicep), which must not depend on the transport.
        var rbac = Main.Resources.Single(r => (string?)r["name"] == "rbac");

        Assert.Null(rbac["condition"]);
        Assert.Contains("'classifier-identity'", (string?)Main.ModuleParameters("rbac")["classifierPrincipalId"]!["value"], StringComparison.Ordinal);
        Assert.Contains("'classifier-identity'", (string?)Main.ModuleParameters("servicebus")["identityId"]!["value"], StringComparison.Ordinal);
        Assert.Contains("'classifier-identity'", (string?)Main.ModuleParameters("servicebus")["identityClientId"]!["value"], StringComparison.Ordinal);
    }

    [Fact]
    public void ClassifierAppNameOutput_NamesTheAppThatClassifies_OnEachTransport()
    {
        // scripts/smoke-azure.sh and docs/DEPLOY.md read logs from CLASSIFIER_APP_NAME.
        var value = (string?)Main.Outputs["CLASSIFIER_APP_NAME"]!["value"];

        Assert.StartsWith("[if(equals(parameters('transport'), 'ServiceBus'), variables('names').classifierWorker, ", value, StringComparison.Ordinal);
        Assert.Equal("[variables('names').classifierWorker]", (string?)Main.ModuleParameters("servicebus")["workerAppName"]!["value"]);

        // The classifier module's own output reads the Functions app only where it is deployed (ARM's if() evaluates one branch).
        Assert.StartsWith("[if(parameters('deployFunctionsApp'), ", (string?)Main.Module("classifier").Outputs["appName"]!["value"], StringComparison.Ordinal);
    }

    private static IConfiguration Bind(IEnumerable<(string Key, string? Value)> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(
            settings.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value))).Build();
}
