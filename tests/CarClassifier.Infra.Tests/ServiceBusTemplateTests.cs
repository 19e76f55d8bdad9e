using System.Text.Json.Nodes;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.Infra.Tests;

/// <summary>
/// infra/app/servicebus.bicep as main.bicep wires it (transport = ServiceBus): what the ingest app, the worker and KEDA
/// need at run time, checked against the code that reads it (settings bound the way the hosts bind them).
/// </summary>
public class ServiceBusTemplateTests
{
    private const string DataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    private const string DataReceiver = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";
    private const string DataOwner = "090c5cfd-751d-490a-894a-3ce6f1109419";

    private static ArmTemplate Main => CompiledTemplates.Main;

    private static ArmTemplate ServiceBus => Main.Module("servicebus");

    private static JsonObject WorkerSettings => ServiceBus.Variables["workerSettings"]!.AsObject();

    [Fact]
    public void TransportParameter_AllowedValues_AreTheCodesTransports_DefaultStorageQueue()
    {
        var parameter = Main.Parameters["transport"]!;

        Assert.Equal(Enum.GetNames<MessageTransport>(), parameter["allowedValues"]!.AsArray().Select(v => (string?)v));
        Assert.Equal(nameof(MessageTransport.StorageQueue), (string?)parameter["defaultValue"]);
    }

    [Fact]
    public void ServiceBusModule_IsDeployedOnlyForTheServiceBusTransport_OnTheWorkQueueName()
    {
        var module = Main.Resources.Single(r => (string?)r["name"] == "servicebus");

        Assert.Equal("[equals(parameters('transport'), 'ServiceBus')]", (string?)module["condition"]);
        Assert.Equal("[variables('pipeline').workQueue]", (string?)Main.ModuleParameters("servicebus")["queueName"]!["value"]);
    }

    [Fact]
    public void Namespace_LocalAuthIsDisabled_Tls12_AndATierWithDuplicateDetection()
    {
        var ns = ServiceBus.Single("Microsoft.ServiceBus/namespaces");

        Assert.True((bool)ns["properties"]!["disableLocalAuth"]!);
        Assert.Equal("1.2", (string?)ns["properties"]!["minimumTlsVersion"]);
        Assert.Contains((string?)ns["sku"]!["name"], new[] { "Standard", "Premium" }); // Basic has no duplicate detection.
    }

    [Fact]
    public void Queue_HasDuplicateDetection_DeadLetteringOnExpiry_AndTheLimitsTheWorkerAssumes()
    {
        var properties = ServiceBus.Single("Microsoft.ServiceBus/namespaces/queues")["properties"]!;
        var defaults = new ServiceBusOptions();

        Assert.True((bool)properties["requiresDuplicateDetection"]!);
        Assert.True((bool)properties["deadLetteringOnMessageExpiration"]!);
        Assert.False((bool)properties["requiresSession"]!);
        Assert.Equal("[parameters('duplicateDetectionWindow')]", (string?)properties["duplicateDetectionHistoryTimeWindow"]);
        Assert.Equal("PT10M", (string?)ServiceBus.Parameters["duplicateDetectionWindow"]!["defaultValue"]);

        // The worker renews locks well inside the lock, and dead-letters on the delivery the queue calls the last.
        var lockDuration = System.Xml.XmlConvert.ToTimeSpan((string)ServiceBus.Parameters["lockDuration"]!["defaultValue"]!);
        Assert.True(defaults.LockRenewalSeconds * 2 <= lockDuration.TotalSeconds, $"renewal every {defaults.LockRenewalSeconds} s vs lock {lockDuration}");
        Assert.Equal(defaults.MaxDeliveryCount, (int)ServiceBus.Parameters["maxDeliveryCount"]!["defaultValue"]!);
        Assert.Equal("[string(parameters('maxDeliveryCount'))]", (string?)WorkerSettings["Classifier__ServiceBus__MaxDeliveryCount"]);
    }

    [Fact]
    public void Roles_IngestSends_WorkerReceives_ScalerOwns_ScopedToTheQueue()
    {
        // Exactly these three, each on the queue: Sender (ingest), Receiver (worker), Owner (the KEDA scaler identity,
        // which needs Manage to read the count: ScaleFromZeroTests).
        var assignments = ServiceBus.OfType("Microsoft.Authorization/roleAssignments").ToList();

        Assert.Equal(3, assignments.Count);
        Assert.All(assignments, a => Assert.Contains("Microsoft.ServiceBus/namespaces/queues", (string?)a["scope"], StringComparison.Ordinal));
        Assert.All(assignments, a => Assert.StartsWith("[guid(", (string?)a["name"], StringComparison.Ordinal));
        var byRole = assignments.ToDictionary(a => ArmTemplate.Raw(a["properties"]!["roleDefinitionId"]!), a => (string?)a["properties"]!["principalId"]);
        Assert.Equal("[parameters('senderPrincipalId')]", byRole.Single(kv => kv.Key.Contains("serviceBusDataSender", StringComparison.Ordinal)).Value);
        Assert.Equal("[parameters('receiverPrincipalId')]", byRole.Single(kv => kv.Key.Contains("serviceBusDataReceiver", StringComparison.Ordinal)).Value);
        Assert.Equal("[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('scalerIdentityName')), '2023-01-31').principalId]", byRole.Single(kv => kv.Key.Contains("serviceBusDataOwner", StringComparison.Ordinal)).Value);
        Assert.Equal(DataSender, (string?)ServiceBus.Variables["serviceBusDataSender"]);
        Assert.Equal(DataReceiver, (string?)ServiceBus.Variables["serviceBusDataReceiver"]);
        Assert.Equal(DataOwner, (string?)ServiceBus.Variables["serviceBusDataOwner"]);

        // The sender is the identity the ingest app runs as; the receiver the one the worker runs as (the classifier's).
        var parameters = Main.ModuleParameters("servicebus");
        Assert.Contains("'ingest-identity'", (string?)parameters["senderPrincipalId"]!["value"], StringComparison.Ordinal);
        Assert.Contains("'classifier-identity'", (string?)parameters["receiverPrincipalId"]!["value"], StringComparison.Ordinal);
        Assert.Contains("'classifier-identity'", (string?)parameters["identityId"]!["value"], StringComparison.Ordinal);
    }

    [Fact]
    public void WorkerSettings_BindToAServiceBusWorkerOnTheManagedIdentity()
    {
        // Container Apps env names use "__"; .NET configuration reads them as ":" (what the worker host does).
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
            WorkerSettings.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":", StringComparison.Ordinal), (string?)kv.Value))).Build();

        Assert.Equal(MessageTransport.ServiceBus, ServiceBusServiceCollectionExtensions.ReadTransport(configuration));
        Assert.Equal("[variables('fullyQualifiedNamespace')]", configuration[$"{PipelineNames.ServiceBusConnection}:fullyQualifiedNamespace"]);
        Assert.Equal("managedidentity", configuration[$"{PipelineNames.ServiceBusConnection}:credential"]);
        Assert.Equal("[parameters('identityClientId')]", configuration[$"{PipelineNames.ServiceBusConnection}:clientId"]);
        Assert.Equal("managedidentity", configuration[$"{PipelineNames.StorageConnection}:credential"]);
        Assert.Null(configuration[PipelineNames.ServiceBusConnection]); // never a connection string
        // Application Insights refuses the connection string alone (local auth off): the worker's exporters need the identity.
        var appInsightsAuth = configuration[CarClassifier.Core.Telemetry.AzureMonitorAuthentication.Setting];
        Assert.Contains("Authorization=AAD", appInsightsAuth, StringComparison.Ordinal);
        Assert.Contains("parameters('identityClientId')", appInsightsAuth, StringComparison.Ordinal);
        Assert.Equal("[format('{0}.servicebus.windows.net', parameters('namespaceName'))]", (string?)ServiceBus.Variables["fullyQualifiedNamespace"]);
    }

    [Fact]
    public void IngestSettings_OnServiceBus_SendWithTheManagedIdentity()
    {
        // Compiled inline into the ingest module's parameter: createObject(name, value, ...) only when transport = ServiceBus.
        var settings = (string?)Main.ModuleParameters("ingest")["transportSettings"];

        Assert.StartsWith("[if(equals(parameters('transport'), 'ServiceBus')", settings, StringComparison.Ordinal);
        Assert.Contains($"'{PipelineNames.OptionsSection}__{nameof(ClassifierOptions.Transport)}', 'ServiceBus'", settings, StringComparison.Ordinal);
        Assert.Contains($"'{PipelineNames.ServiceBusConnection}__fullyQualifiedNamespace', format('{{0}}.servicebus.windows.net', variables('names').serviceBus)", settings, StringComparison.Ordinal);
        Assert.Contains($"'{PipelineNames.ServiceBusConnection}__credential', 'managedidentity'", settings, StringComparison.Ordinal);
        Assert.Contains($"'{PipelineNames.ServiceBusConnection}__clientId', reference(resourceId('Microsoft.Resources/deployments', 'ingest-identity')", settings, StringComparison.Ordinal);
        Assert.Equal("[variables('names').serviceBus]", (string?)Main.ModuleParameters("servicebus")["namespaceName"]!["value"]);
        Assert.Contains("union(variables('appSettings'), parameters('transportSettings'))", ArmTemplate.Raw(Main.Module("ingest").Root), StringComparison.Ordinal);
    }

    [Fact]
    public void Worker_ScalesWithKedaServiceBusRule_OnTheScalerIdentity_WithoutSecrets()
    {
        var app = ServiceBus.Single("Microsoft.App/containerApps");
        var rule = Assert.Single(app["properties"]!["template"]!["scale"]!["rules"]!.AsArray())!;
        var custom = rule["custom"]!;

        Assert.Equal("azure-servicebus", (string?)custom["type"]);
        Assert.Equal("[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('scalerIdentityName'))]", (string?)custom["identity"]);
        Assert.Null(custom["auth"]);
        Assert.Equal("[parameters('queueName')]", (string?)custom["metadata"]!["queueName"]);
        Assert.Equal("[parameters('namespaceName')]", (string?)custom["metadata"]!["namespace"]);
        Assert.Null(app["properties"]!["configuration"]!["secrets"]);
        Assert.Contains("parameters('identityId')", ArmTemplate.Raw(app["identity"]!), StringComparison.Ordinal);
    }

    [Fact]
    public void Worker_Command_RunsTheWorkerTheImagePublishes()
    {
        var container = ServiceBus.Single("Microsoft.App/containerApps")["properties"]!["template"]!["containers"]![0]!;
        var dockerfile = File.ReadAllText(RepositoryPaths.File("Dockerfile"));

        Assert.Contains("'/app/worker/CarClassifier.Worker.dll'", (string?)container["command"], StringComparison.Ordinal);
        Assert.Contains("src/CarClassifier.Worker/CarClassifier.Worker.csproj", dockerfile, StringComparison.Ordinal);
        Assert.Contains("COPY --from=build /app/worker /app/worker", dockerfile, StringComparison.Ordinal);
        Assert.True(File.Exists(RepositoryPaths.File("src", "CarClassifier.Worker", "CarClassifier.Worker.csproj")));
    }

    [Fact]
    public void EmulatorConfig_Queue_MatchesTheBicepQueue()
    {
        var config = JsonNode.Parse(File.ReadAllText(RepositoryPaths.File("tools", "servicebus-emulator", "config.json")))!;
        var queue = config["UserConfig"]!["Namespaces"]![0]!["Queues"]![0]!;
        var properties = queue["Properties"]!;

        Assert.Equal(PipelineNames.WorkQueue, (string?)queue["Name"]);
        Assert.Equal((string?)ServiceBus.Parameters["lockDuration"]!["defaultValue"], (string?)properties["LockDuration"]);
        Assert.Equal((int)ServiceBus.Parameters["maxDeliveryCount"]!["defaultValue"]!, (int)properties["MaxDeliveryCount"]!);
        Assert.Equal((string?)ServiceBus.Parameters["duplicateDetectionWindow"]!["defaultValue"], (string?)properties["DuplicateDetectionHistoryTimeWindow"]);
        Assert.True((bool)properties["RequiresDuplicateDetection"]!);
        Assert.True((bool)properties["DeadLetteringOnMessageExpiration"]!);
    }
}
