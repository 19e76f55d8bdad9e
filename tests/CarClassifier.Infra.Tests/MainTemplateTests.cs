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
        Assert.True(settings.ContainsKey($"{PipelineNames.OptionsSection}__ExecutionProvider"));
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
    public void ClassifierDefaults_ExecutionProviderAndManifest_AreCudaAndTheBakedInModel()
    {
        Assert.Equal("Cuda", (string?)Main.Parameters["classifierExecutionProvider"]!["defaultValue"]);
        Assert.Equal("/models/resnet50-v1-12/manifest.json", (string?)Main.Parameters["classifierModelManifest"]!["defaultValue"]);
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
    public void GpuProfileParameter_AllowedValues_AreTheTwoServerlessGpuProfiles()
    {
        var parameter = Main.Parameters["gpuProfileType"]!;
        var allowed = parameter["allowedValues"]!.AsArray().Select(v => (string?)v).ToList();

        Assert.Equal(["Consumption-GPU-NC8as-T4", "Consumption-GPU-NC24-A100"], allowed);
        Assert.Equal("Consumption-GPU-NC8as-T4", (string?)parameter["defaultValue"]);
    }

    [Fact]
    public void Environment_WorkloadProfiles_AreConsumptionPlusTheChosenGpuProfile()
    {
        var environment = Main.Single("Microsoft.App/managedEnvironments");
        var profiles = environment["properties"]!["workloadProfiles"]!.AsArray();

        Assert.Equal(2, profiles.Count);
        Assert.Equal("Consumption", (string?)profiles[0]!["workloadProfileType"]);
        Assert.Equal("[parameters('gpuProfileType')]", (string?)profiles[1]!["workloadProfileType"]);
        Assert.Equal("azure-monitor", (string?)environment["properties"]!["appLogsConfiguration"]!["destination"]);
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
    public void ClassifierResources_GpuSizes_MatchTheServerlessGpuProfiles()
    {
        var sizes = Main.Module("classifier").Variables["gpuSizes"]!;

        Assert.Equal("8", (string?)sizes["Consumption-GPU-NC8as-T4"]!["cpu"]);
        Assert.Equal("56Gi", (string?)sizes["Consumption-GPU-NC8as-T4"]!["memory"]);
        Assert.Equal("24", (string?)sizes["Consumption-GPU-NC24-A100"]!["cpu"]);
        Assert.Equal("220Gi", (string?)sizes["Consumption-GPU-NC24-A100"]!["memory"]);
    }

    [Fact]
    public void RoleDefinitions_Ids_AreTheBuiltInRoles()
    {
        var roles = Main.Module("rbac").Variables["roles"]!;

        Assert.Equal("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", (string?)roles["storageBlobDataReader"]);
        Assert.Equal("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", (string?)roles["storageBlobDataOwner"]);
        Assert.Equal("ba92f5b4-2d11-453d-a403-e96b0029c9fe", (string?)roles["storageBlobDataContributor"]);
        Assert.Equal("8a0f0c08-91a1-4084-bc3d-661d67233fed", (string?)roles["storageQueueDataMessageProcessor"]);
        Assert.Equal("c6a89b2d-59bc-44d0-9896-0f6e12d7b80a", (string?)roles["storageQueueDataMessageSender"]);
        Assert.Equal("19e7f393-937e-4f77-808e-94535e297925", (string?)roles["storageQueueDataReader"]);
        Assert.Equal("974c5e8b-45b9-4653-ba55-5f855dd0fb88", (string?)roles["storageQueueDataContributor"]);
        Assert.Equal("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", (string?)roles["storageTableDataContributor"]);
        Assert.Equal("7f951dda-4ed3-4680-a7ca-43fe172d538d", (string?)roles["acrPull"]);
        Assert.Equal("3913510d-42f4-4e42-8a64-420c390055eb", (string?)roles["monitoringMetricsPublisher"]);
    }

    [Theory]
    [InlineData("blobGrants", "imagesContainerName", "storageBlobDataReader")]
    [InlineData("blobGrants", "deploymentContainerName", "storageBlobDataContributor")]
    [InlineData("blobGrants", "deadLetterContainerName", "storageBlobDataContributor")]
    [InlineData("queueGrants", "workQueueName", "storageQueueDataMessageSender")]
    [InlineData("queueGrants", "workQueueName", "storageQueueDataMessageProcessor")]
    [InlineData("queueGrants", "workQueueName", "storageQueueDataReader")]
    public void RoleGrants_Grant_IsScopedToTheNamedResource(string grants, string scopeParameter, string role)
    {
        var text = ArmTemplate.Raw(Main.Module("rbac").Variables[grants]!);

        Assert.Contains($"parameters('{scopeParameter}'), 'role', variables('roles').{role}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RoleGrants_ImagesContainer_IsReadOnly()
    {
        var text = ArmTemplate.Raw(Main.Module("rbac").Variables["blobGrants"]!);

        Assert.DoesNotContain("parameters('imagesContainerName'), 'role', variables('roles').storageBlobDataOwner", text, StringComparison.Ordinal);
        Assert.DoesNotContain("parameters('imagesContainerName'), 'role', variables('roles').storageBlobDataContributor", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RoleAssignments_Scopes_AreContainersQueuesTableRegistryAndInsightsOnly()
    {
        // The Service Bus queue roles (transport = ServiceBus) are checked in ServiceBusTemplateTests.
        var assignments = Main.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => !((string?)a["scope"] ?? "").Contains("Microsoft.ServiceBus/", StringComparison.Ordinal)).ToList();
        var scopes = assignments.Select(a => (string?)a["scope"] ?? "<resource group>").ToList();

        Assert.Equal(5, assignments.Count); // blob and queue grants are copy loops
        Assert.All(assignments, a => Assert.Equal("ServicePrincipal", (string?)a["properties"]!["principalType"]));
        Assert.Contains(scopes, s => s.Contains("blobServices/containers'", StringComparison.Ordinal));
        Assert.Contains(scopes, s => s.Contains("queueServices/queues'", StringComparison.Ordinal));
        Assert.Contains(scopes, s => s.Contains("tableServices/tables'", StringComparison.Ordinal));
        Assert.Contains(scopes, s => s.Contains("Microsoft.ContainerRegistry/registries", StringComparison.Ordinal));
        Assert.Contains(scopes, s => s.Contains("Microsoft.Insights/components", StringComparison.Ordinal));
        Assert.All(scopes, s => Assert.Matches("containers|queues|tables|registries|components", s));
    }

    [Fact]
    public void RoleAssignments_Names_AreGuidOfScopePrincipalAndRole()
    {
        var names = Main.OfType("Microsoft.Authorization/roleAssignments").Select(a => (string?)a["name"]).ToList();

        Assert.All(names, n => Assert.StartsWith("[guid(", n, StringComparison.Ordinal));
    }

    [Fact]
    public void RbacModule_SharedNames_ComeFromThePipelineVariable()
    {
        var parameters = Main.ModuleParameters("rbac");

        Assert.Equal("[variables('pipeline').imagesContainer]", (string?)parameters["imagesContainerName"]!["value"]);
        Assert.Equal("[variables('pipeline').workQueue]", (string?)parameters["workQueueName"]!["value"]);
        Assert.Equal("[variables('pipeline').resultsTable]", (string?)parameters["resultsTableName"]!["value"]);
        Assert.Contains("variables('pipeline').poisonQueue", ArmTemplate.Raw(parameters["poisonQueueNames"]!), StringComparison.Ordinal);
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
    }
}
