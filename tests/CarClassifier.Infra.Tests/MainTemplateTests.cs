using System.Text.Json.Nodes;
using CarClassifier.Core;

namespace CarClassifier.Infra.Tests;

/// <summary>The compiled infra/main.bicep: security properties, names shared with the code, RBAC and scaling.</summary>
public class MainTemplateTests
{
    private static ArmTemplate Main => CompiledTemplates.Main;

    [Fact]
    public void StorageAccount_Properties_AreSecureByDefault()
    {
        var properties = Main.Single("Microsoft.Storage/storageAccounts")["properties"]!;

        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
        Assert.True((bool)properties["defaultToOAuthAuthentication"]!);
    }

    [Fact]
    public void StorageContainers_PublicAccess_IsNone()
    {
        var container = Main.Single("Microsoft.Storage/storageAccounts/blobServices/containers");

        Assert.Equal("None", (string?)container["properties"]!["publicAccess"]);
    }

    [Fact]
    public void PipelineVariable_Names_MatchPipelineNames()
    {
        var pipeline = Main.Variables["pipeline"]!;

        Assert.Equal(PipelineNames.ImagesContainer, (string?)pipeline["imagesContainer"]);
        Assert.Equal(PipelineNames.WorkQueue, (string?)pipeline["workQueue"]);
        Assert.Equal(PipelineNames.PoisonQueue, (string?)pipeline["poisonQueue"]);
        Assert.Equal(PipelineNames.ResultsTable, (string?)pipeline["resultsTable"]);
        Assert.Equal(PipelineNames.IngestFunction, (string?)pipeline["ingestFunction"]);
    }

    [Fact]
    public void StorageModule_CreatesEverySharedContainerQueueAndTable()
    {
        var parameters = Main.ModuleParameters("storage");

        var containers = ArmTemplate.Raw(parameters["containers"]!);
        var queues = ArmTemplate.Raw(parameters["queues"]!);
        var tables = ArmTemplate.Raw(parameters["tables"]!);
        Assert.Contains("variables('pipeline').imagesContainer", containers, StringComparison.Ordinal);
        Assert.Contains("variables('pipeline').workQueue", queues, StringComparison.Ordinal);
        Assert.Contains("variables('pipeline').poisonQueue", queues, StringComparison.Ordinal);
        Assert.Contains("variables('pipeline').resultsTable", tables, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("listKeys(")]
    [InlineData("AccountKey")]
    [InlineData("DefaultEndpointsProtocol")]
    [InlineData("SharedAccessSignature")]
    [InlineData("\"sharedKey\"")]
    [InlineData("secretRef")]
    [InlineData("InstrumentationKey")]
    public void Template_Anywhere_HoldsNoKeysOrStorageConnectionStrings(string forbidden)
    {
        Assert.DoesNotContain(forbidden, Main.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ApplicationInsights_LocalAuth_IsDisabled()
    {
        var properties = Main.Single("Microsoft.Insights/components")["properties"]!;

        Assert.True((bool)properties["DisableLocalAuth"]!);
    }

    [Fact]
    public void ContainerRegistry_AdminUser_IsDisabled()
    {
        var properties = Main.Single("Microsoft.ContainerRegistry/registries")["properties"]!;

        Assert.False((bool)properties["adminUserEnabled"]!);
    }

    [Fact]
    public void IngestSettings_StorageConnection_UsesTheManagedIdentity()
    {
        var settings = Main.Module("ingest").Variables["appSettings"]!.AsObject();

        AssertIdentityBasedStorage(settings);
        Assert.Equal("true", (string?)settings[$"AzureWebJobs.{PipelineNames.ClassifyFunction}.Disabled"]);
        Assert.False(settings.ContainsKey($"AzureWebJobs.{PipelineNames.IngestFunction}.Disabled"));
    }

    [Fact]
    public void ClassifierSettings_StorageConnection_UsesTheManagedIdentity()
    {
        var settings = Main.Module("classifier").Variables["hostSettings"]!.AsObject();

        AssertIdentityBasedStorage(settings);
        Assert.Equal("true", (string?)settings[$"AzureWebJobs.{PipelineNames.IngestFunction}.Disabled"]);
        Assert.False(settings.ContainsKey($"AzureWebJobs.{PipelineNames.ClassifyFunction}.Disabled"));
        Assert.Equal("[variables('size').executionProvider]", (string?)settings[$"{PipelineNames.OptionsSection}__ExecutionProvider"]);
        Assert.Equal("[variables('size').requireCuda]", (string?)settings[$"{PipelineNames.OptionsSection}__RequireCuda"]);
        Assert.True(settings.ContainsKey($"{PipelineNames.OptionsSection}__ModelManifest"));
        Assert.Equal("dotnet-isolated", (string?)settings["FUNCTIONS_WORKER_RUNTIME"]);
    }

    [Fact]
    public void ClassifierSettings_ExtraSettings_CannotOverrideTheHostSettings()
    {
        var settings = ArmTemplate.Raw(Main.Module("classifier").ModuleParameters("classifier-container-app")["settings"]!);

        // union() lets later arguments win: the fixed host settings come last.
        Assert.Contains("union(parameters('extraSettings'), variables('hostSettings'))", settings, StringComparison.Ordinal);
    }

    [Fact]
    public void FlexPlan_Sku_IsFc1()
    {
        var plan = Main.Single("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.True((bool)plan["properties"]!["reserved"]!);
    }

    [Fact]
    public void IngestApp_Hosting_IsFlexConsumptionWithIdentityDeploymentAndNoBasicAuth()
    {
        var site = Main.Single("Microsoft.Web/sites");
        var config = site["properties"]!["functionAppConfig"]!;

        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.True((bool)site["properties"]!["httpsOnly"]!);
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.Equal("[parameters('runtimeName')]", (string?)config["runtime"]!["name"]);
        var runtimes = Main.Module("ingest-function-app").Parameters["runtimeName"]!["allowedValues"]!.AsArray();
        Assert.Equal(["dotnet-isolated"], runtimes.Select(r => (string?)r));
        Assert.Equal("UserAssignedIdentity", (string?)config["deployment"]!["storage"]!["authentication"]!["type"]);
        var policies = Main.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.False((bool)p["properties"]!["allow"]!));
    }

    [Fact]
    public void IngestSide_Resources_HoldNoGpu()
    {
        var ingest = Main.Module("ingest");

        Assert.DoesNotContain("GPU", ingest.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(ingest.OfType("Microsoft.App/containerApps"));
    }

    [Fact]
    public void ClassifierApp_Shape_IsNativeFunctionsOnContainerAppsOnTheGpuProfile()
    {
        var app = Main.Module("classifier").Single("Microsoft.App/containerApps");
        var properties = app["properties"]!;

        Assert.Equal("functionapp", (string?)app["kind"]);
        Assert.Equal("UserAssigned", (string?)app["identity"]!["type"]);
        Assert.Equal("[parameters('workloadProfileName')]", (string?)properties["workloadProfileName"]);
        // Event-driven scaling of Functions on Container Apps needs ingress; internal keeps it private.
        Assert.False((bool)properties["configuration"]!["ingress"]!["external"]!);
        Assert.Contains("'identity', parameters('identityId')", ArmTemplate.Raw(properties["configuration"]!["registries"]!), StringComparison.Ordinal);
    }

    [Fact]
    public void ClassifierReplicas_Default_ScalesToZero()
    {
        Assert.Equal(0, (int)Main.Parameters["classifierMinReplicas"]!["defaultValue"]!);
        Assert.Equal(0, (int)Main.Parameters["classifierMinReplicas"]!["minValue"]!);
        Assert.Equal(0, (int)CompiledTemplates.MainParameters["classifierMinReplicas"]!["value"]!);
        var scale = Main.Module("classifier").Single("Microsoft.App/containerApps")["properties"]!["template"]!["scale"]!;
        Assert.Equal("[parameters('minReplicas')]", (string?)scale["minReplicas"]);
    }

    [Fact]
    public void RoleAssignments_Scopes_AreContainersQueuesTableRegistryAndInsightsOnly()
    {
        // The Service Bus queue roles (transport = ServiceBus) are checked in ServiceBusTemplateTests.
        var assignments = Main.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => !((string?)a["scope"] ?? "").Contains("Microsoft.ServiceBus/", StringComparison.Ordinal)).ToList();
        var scopes = assignments.Select(a => (string?)a["scope"] ?? "<resource group>").ToList();

        Assert.Equal(6, assignments.Count); // storage grants (4 scope kinds) and App Insights are copy loops
        Assert.All(assignments, a => Assert.Equal("ServicePrincipal", (string?)a["properties"]!["principalType"]));
        Assert.Contains(scopes, s => s.Contains("blobServices/containers'", StringComparison.Ordinal));
        Assert.Contains(scopes, s => s.Contains("queueServices/queues'", StringComparison.Ordinal));
        Assert.Contains(scopes, s => s.Contains("tableServices/tables'", StringComparison.Ordinal));
        Assert.Contains(scopes, s => s.Contains("Microsoft.ContainerRegistry/registries", StringComparison.Ordinal));
        Assert.Contains(scopes, s => s.Contains("Microsoft.Insights/components", StringComparison.Ordinal));
        Assert.All(scopes, s => Assert.Matches("containers|queues|tables|registries|components|storageAccounts'", s));
        // Account scope appears once: the table's platform-named host queue (StorageUseTableTests checks which grant).
        Assert.Single(scopes, s => s.EndsWith("storageAccounts', parameters('storageAccountName'))]", StringComparison.Ordinal));
    }

    [Fact]
    public void RoleAssignments_Names_AreGuidOfScopePrincipalAndRole()
    {
        var names = Main.OfType("Microsoft.Authorization/roleAssignments").Select(a => (string?)a["name"]).ToList();

        Assert.All(names, n => Assert.StartsWith("[guid(", n, StringComparison.Ordinal));
    }

    [Fact]
    public void EventGridSystemTopic_Source_IsTheStorageAccountWithAnIdentity()
    {
        var topic = Main.Single("Microsoft.EventGrid/systemTopics");

        Assert.Equal("Microsoft.Storage.StorageAccounts", (string?)topic["properties"]!["topicType"]);
        Assert.Equal("SystemAssigned", (string?)topic["identity"]!["type"]);
    }

    [Theory]
    [InlineData("STORAGE_ACCOUNT_NAME")]
    [InlineData("IMAGES_CONTAINER")]
    [InlineData("RESULTS_TABLE")]
    [InlineData("INGEST_APP_NAME")]
    [InlineData("INGEST_FUNCTION_NAME")]
    [InlineData("CLASSIFIER_APP_NAME")]
    [InlineData("CONTAINER_REGISTRY_LOGIN_SERVER")]
    [InlineData("SYSTEM_TOPIC_NAME")]
    [InlineData("DEAD_LETTER_CONTAINER")]
    public void Outputs_NamesAndEndpoints_AreExposed(string output)
    {
        Assert.True(Main.Outputs.ContainsKey(output), $"main.bicep has no output {output}.");
    }

    [Fact]
    public void RoleDefinitions_NonStorageIds_AreTheBuiltInRoles()
    {
        // "Azure built-in roles": https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
        var roles = Main.Module("rbac").Variables["roles"]!;

        Assert.Equal("7f951dda-4ed3-4680-a7ca-43fe172d538d", (string?)roles["acrPull"]);
        Assert.Equal("3913510d-42f4-4e42-8a64-420c390055eb", (string?)roles["monitoringMetricsPublisher"]);
    }

    [Fact]
    public void AcrPull_Principal_IsOnlyTheClassifier()
    {
        var acr = Main.Module("rbac").Resources.Single(r => ((string?)r["scope"] ?? "").Contains("Microsoft.ContainerRegistry", StringComparison.Ordinal));

        Assert.Equal("[parameters('classifierPrincipalId')]", (string?)acr["properties"]!["principalId"]);
    }

    [Fact]
    public void IngestMaximumInstanceCount_MinValue_IsTheFlexFloorOf40()
    {
        Assert.Equal(40, (int)Main.Parameters["ingestMaximumInstanceCount"]!["minValue"]!);
        Assert.Equal(40, (int)Main.Module("ingest").Parameters["maximumInstanceCount"]!["minValue"]!);
        Assert.Equal(40, (int)Main.Module("ingest-function-app").Parameters["maximumInstanceCount"]!["minValue"]!);
        Assert.True((int)CompiledTemplates.MainParameters["ingestMaximumInstanceCount"]!["value"]! >= 40);
    }

    [Fact]
    public void IngestSettings_DotnetIsolatedPlaceholder_IsOffForTheFlexDotnet10Crash()
    {
        // azure-functions-dotnet-worker#3335: FunctionsNetHost SIGSEGV on .NET 10 on Flex; workaround is no placeholder.
        var settings = Main.Module("ingest").Variables["appSettings"]!.AsObject();

        Assert.Equal("0", (string?)settings["WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED"]);
        Assert.Equal("10.0", (string?)Main.Parameters["functionsRuntimeVersion"]!["defaultValue"]);
    }

    private static void AssertIdentityBasedStorage(JsonObject settings)
    {
        var prefix = PipelineNames.StorageConnection;
        Assert.Equal("managedidentity", (string?)settings[$"{prefix}__credential"]);
        Assert.Equal("[parameters('identityClientId')]", (string?)settings[$"{prefix}__clientId"]);
        Assert.True(settings.ContainsKey($"{prefix}__blobServiceUri"));
        Assert.True(settings.ContainsKey($"{prefix}__queueServiceUri"));
        Assert.True(settings.ContainsKey($"{prefix}__tableServiceUri"));
        Assert.False(settings.ContainsKey(prefix), "A bare AzureWebJobsStorage setting would be a connection string.");
        Assert.Contains("Authorization=AAD", (string?)settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        // The KEDA queue scaler authenticates with the identity and needs the account name, not only the service URIs.
        Assert.Equal("[parameters('storageAccountName')]", (string?)settings[$"{prefix}__accountName"]);
        // Diagnostic events would need account-wide table rights: off instead (docs/DEPLOY.md).
        Assert.Equal("DisableDiagnosticEventLogging", (string?)settings["AzureWebJobsFeatureFlags"]);
    }
}
