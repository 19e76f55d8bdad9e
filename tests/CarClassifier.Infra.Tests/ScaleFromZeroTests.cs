using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CarClassifier.Core;
using CarClassifier.Infra.Tests.StorageUse;

namespace CarClassifier.Infra.Tests;

/// <summary>
/// With classifierMinReplicas = 0 nothing is classified until a KEDA rule starts a replica. For every combination of
/// classifierCompute (3) and transport (2), this compiles the deployment (build-params + lint, no diagnostics), works out
/// which classifier app that combination deploys, and checks the one rule that starts it from zero: its scaler type, its
/// metadata (resolved through the module parameters to the pipeline's names), and the identity it authenticates with and
/// the role that identity holds, against what the KEDA scaler documents it needs:
/// <list type="bullet">
/// <item>azure-queue (https://keda.sh/docs/scalers/azure-storage-queue/): queueName, queueLength, and accountName
/// "required when pod identity is used"; it reads the queue's approximate message count (queueLengthStrategy "all",
/// the default), a read on the queue: Storage Queue Data Reader on that queue is enough.</item>
/// <item>azure-servicebus (https://keda.sh/docs/scalers/azure-service-bus/): queueName, and namespace "required when pod
/// identity is used"; it reads the count through the management API, which needs Manage ("SAS Policy needs to be of type
/// 'Manage'", kedacore/keda-docs#183 for kedacore/keda#806): Azure Service Bus Data Owner with Entra ID.</item>
/// </list>
/// Container Apps passes the identity named in the rule's identity property, which must be assigned to the app
/// ("Use managed identity for scale rules", Managed identities in Azure Container Apps).
/// </summary>
public sealed class ScaleFromZeroTests : IDisposable
{
    private const string ServiceBusDataOwner = "090c5cfd-751d-490a-894a-3ce6f1109419";
    private const string StorageQueueDataReader = "19e7f393-937e-4f77-808e-94535e297925";

    private static readonly StorageUseTable Table = StorageUseTable.Load(RepositoryPaths.File("infra", "storage-use.json"));

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("carclass-scale-");

    public static TheoryData<string, string> Combinations => new()
    {
        { "gpu-t4", "StorageQueue" }, { "gpu-a100", "StorageQueue" }, { "cpu", "StorageQueue" },
        { "gpu-t4", "ServiceBus" }, { "gpu-a100", "ServiceBus" }, { "cpu", "ServiceBus" },
    };

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Combination_TheAppThatClassifies_HasARuleThatStartsItFromZero(string compute, string transport)
    {
        var (parameters, main) = Compile(compute, transport);
        Assert.Equal(0, (int)parameters["classifierMinReplicas"]!["value"]!); // the rule is the only way a replica starts

        var functionsApp = Deployed(main, parameters, "classifier") && Deployed(main.Module("classifier"), main.ModuleParameters("classifier"), parameters, "classifier-container-app");
        var worker = Deployed(main, parameters, "servicebus");
        Assert.True(functionsApp ^ worker, $"{compute}/{transport}: exactly one classifier app must be deployed (functions app {functionsApp}, worker {worker}).");
        Assert.Equal(transport == "ServiceBus", worker);

        if (functionsApp)
        {
            AssertStorageQueueRule(main);
        }
        else
        {
            AssertServiceBusRule(main);
        }

        // The compute option moves the app to another workload profile and nothing else: the rule never depends on it.
        var rule = worker
            ? ArmTemplate.Raw(main.Module("servicebus").Single("Microsoft.App/containerApps")["properties"]!["template"]!["scale"]!)
            : ArmTemplate.Raw(main.Module("classifier").Variables["scaleRule"]!);
        Assert.DoesNotContain("compute", rule, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("profile", rule, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ServiceBusScaler_DataOwner_IsTheOnlyServiceBusRoleOfTheScalerIdentity_AndOnlyOnTheQueue()
    {
        // Owner is broad; it is held by an identity no container can use (lifecycle None) and only on the work queue.
        var serviceBus = CompiledTemplates.Main.Module("servicebus");
        var ownerGrants = serviceBus.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => ArmTemplate.Raw(a["properties"]!["roleDefinitionId"]!).Contains("serviceBusDataOwner", StringComparison.Ordinal))
            .ToList();

        var grant = Assert.Single(ownerGrants);
        Assert.Equal("[resourceId('Microsoft.ServiceBus/namespaces/queues', parameters('namespaceName'), parameters('queueName'))]", (string?)grant["scope"]);
        Assert.Contains("parameters('scalerIdentityName')", (string?)grant["properties"]!["principalId"], StringComparison.Ordinal);
        Assert.Equal(ServiceBusDataOwner, (string?)serviceBus.Variables["serviceBusDataOwner"]);
        Assert.DoesNotContain(ServiceBusDataOwner, ArmTemplate.Raw(CompiledTemplates.Main.Module("rbac").Root), StringComparison.Ordinal);
        var workerSettings = ArmTemplate.Raw(serviceBus.Variables["workerSettings"]!);
        Assert.DoesNotContain("scalerIdentity", workerSettings, StringComparison.Ordinal); // the worker never authenticates as it
    }

    [Fact]
    public void FunctionAllowLists_EachApp_LoadsOnlyTheFunctionsItRuns()
    {
        // A disabled function's trigger still reaches the sync-triggers payload the platform scales on
        // (azure-functions-host FunctionsSyncManager.GetFunctionTriggers); functions outside the host's allow list do not
        // (FunctionMetadataManager.ApplyAllowList). Each app lists exactly what it runs.
        static string[] AllowList(JsonObject settings) => settings
            .Where(kv => kv.Key.StartsWith("AzureFunctionsJobHost__functions__", StringComparison.Ordinal))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (string)kv.Value!).ToArray();

        var ingest = CompiledTemplates.Main.Module("ingest").Variables["appSettings"]!.AsObject();
        var classifier = CompiledTemplates.Main.Module("classifier").Variables["hostSettings"]!.AsObject();

        Assert.Equal([PipelineNames.IngestFunction, PipelineNames.GetResultFunction, PipelineNames.ListResultsFunction], AllowList(ingest));
        Assert.Equal([PipelineNames.ClassifyFunction], AllowList(classifier));
        Assert.Equal(
            new[] { PipelineNames.ClassifyFunction, PipelineNames.GetResultFunction, PipelineNames.IngestFunction, PipelineNames.ListResultsFunction }.Order(),
            FunctionsInSource().Order());
    }

    private static void AssertStorageQueueRule(ArmTemplate main)
    {
        var classifier = main.Module("classifier");
        var passed = main.ModuleParameters("classifier");
        var app = classifier.Single("Microsoft.App/containerApps");
        var scale = app["properties"]!["template"]!["scale"]!;

        // The core module applies the rules it is given and owns them: the platform generates none.
        Assert.Equal("[parameters('scaleRules')]", (string?)scale["rules"]);
        Assert.Equal("[not(empty(parameters('scaleRules')))]", (string?)scale["allowScalingRuleOverride"]);
        Assert.Equal("2026-03-02-preview", (string?)app["apiVersion"]); // the first version with allowScalingRuleOverride
        var rules = classifier.ModuleParameters("classifier-container-app")["scaleRules"]!["value"]!.AsArray();
        Assert.Equal("[variables('scaleRule')]", (string?)Assert.Single(rules));

        var rule = classifier.Variables["scaleRule"]!;
        var queue = rule["azureQueue"]!;
        Assert.Null(rule["custom"]);
        Assert.Null(queue["auth"]); // no connection string: identity only
        Assert.Equal(PipelineNames.WorkQueue, Value(main, passed, classifier, (string)queue["queueName"]!));
        Assert.Equal("[reference(resourceId('Microsoft.Resources/deployments', 'storage'), '2025-04-01').outputs.name.value]", Value(main, passed, classifier, (string)queue["accountName"]!));
        var queueLength = int.Parse(Value(main, passed, classifier, (string)queue["queueLength"]!), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(HostJsonQueueBatchSize(), queueLength); // what the platform would derive from host.json

        // The identity: the app's own (classifier) identity, assigned to the app, whose grants read the work queue.
        Assert.Equal("[parameters('identityId')]", (string?)queue["identity"]);
        Assert.Contains("'classifier-identity'", Value(main, passed, classifier, "[parameters('identityId')]"), StringComparison.Ordinal);
        Assert.Contains("parameters('identityId')", ArmTemplate.Raw(app["identity"]!["userAssignedIdentities"]!), StringComparison.Ordinal);
        Assert.Contains("'classifier-identity'", (string?)main.ModuleParameters("rbac")["classifierPrincipalId"]!["value"], StringComparison.Ordinal);
        var workQueueGrants = Table.Identities["classifier"].Grants
            .Where(g => g.Scope == "queue" && g.Resource == PipelineNames.WorkQueue)
            .Select(g => Table.Roles[g.Role]).ToList();
        Assert.Contains(workQueueGrants, r => r.Id == StorageQueueDataReader && r.Allows.Contains("read"));
    }

    private static void AssertServiceBusRule(ArmTemplate main)
    {
        var serviceBus = main.Module("servicebus");
        var passed = main.ModuleParameters("servicebus");
        var app = serviceBus.Single("Microsoft.App/containerApps");
        var rule = Assert.Single(app["properties"]!["template"]!["scale"]!["rules"]!.AsArray())!;
        var custom = rule["custom"]!;

        Assert.Equal("azure-servicebus", (string?)custom["type"]);
        Assert.Null(custom["auth"]);
        var metadata = custom["metadata"]!;
        Assert.Equal(PipelineNames.WorkQueue, Value(main, passed, serviceBus, (string)metadata["queueName"]!));
        Assert.Equal("[variables('names').serviceBus]", Value(main, passed, serviceBus, (string)metadata["namespace"]!));
        Assert.Null(metadata["connectionFromEnv"]);
        Assert.Null(metadata["topicName"]);

        // The identity: the scaler identity, assigned to the app, usable by the scale rule only, Data Owner on the queue.
        const string scaler = "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('scalerIdentityName'))]";
        Assert.Equal(scaler, (string?)custom["identity"]);
        Assert.Contains(scaler[1..^1], ArmTemplate.Raw(app["identity"]!["userAssignedIdentities"]!), StringComparison.Ordinal);
        var settings = Assert.Single(app["properties"]!["configuration"]!["identitySettings"]!.AsArray())!;
        Assert.Equal(scaler, (string?)settings["identity"]);
        Assert.Equal("None", (string?)settings["lifecycle"]);
        Assert.Equal("[variables('names').scalerIdentity]", (string?)passed["scalerIdentityName"]!["value"]);

        var owner = serviceBus.OfType("Microsoft.Authorization/roleAssignments").Single(a =>
            ((string?)a["properties"]!["principalId"])!.Contains(scaler[1..^1], StringComparison.Ordinal));
        Assert.Equal("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('serviceBusDataOwner'))]", (string?)owner["properties"]!["roleDefinitionId"]);
        Assert.Equal(ServiceBusDataOwner, (string?)serviceBus.Variables["serviceBusDataOwner"]);
        Assert.Contains("Microsoft.ServiceBus/namespaces/queues', parameters('namespaceName'), parameters('queueName')", (string?)owner["scope"], StringComparison.Ordinal);
        Assert.Contains("scalerIdentityName", ArmTemplate.Raw(app["dependsOn"]!), StringComparison.Ordinal);
    }

    /// <summary>
    /// Follows a module's "[parameters('x')]" to what its parent passes (or the default), and the parent's
    /// "[variables('pipeline').x]" to the literal, so a rule's metadata is checked against the pipeline's names.
    /// </summary>
    private static string Value(ArmTemplate main, JsonObject passed, ArmTemplate module, string expression)
    {
        var parameter = Regex.Match(expression, @"^\[(?:string\()?parameters\('(?<name>\w+)'\)\)?\]$");
        if (!parameter.Success)
        {
            return expression;
        }

        var name = parameter.Groups["name"].Value;
        var value = passed[name]?["value"] ?? module.Parameters[name]?["defaultValue"]
            ?? throw new InvalidOperationException($"Module parameter {name} is neither passed nor defaulted.");
        var text = value.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)value! : value.ToJsonString();
        var pipeline = Regex.Match(text, @"^\[variables\('pipeline'\)\.(?<key>\w+)\]$");
        return pipeline.Success ? (string)main.Variables["pipeline"]![pipeline.Groups["key"].Value]! : text;
    }

    private static bool Deployed(ArmTemplate main, JsonObject parameters, string module) =>
        Deployed(main, null, parameters, module);

    /// <summary>Evaluates a module's condition: none, "[equals(parameters('p'), 'v')]" or "[parameters('p')]" (a passed equals()).</summary>
    private static bool Deployed(ArmTemplate template, JsonObject? passedToTemplate, JsonObject parameters, string module)
    {
        var condition = (string?)template.Resources.Single(r => (string?)r["name"] == module)["condition"];
        if (condition is null)
        {
            return true;
        }

        var forwarded = Regex.Match(condition, @"^\[parameters\('(?<name>\w+)'\)\]$");
        if (forwarded.Success && passedToTemplate is not null)
        {
            condition = (string?)passedToTemplate[forwarded.Groups["name"].Value]!["value"];
        }

        var equals = Regex.Match(condition ?? "", @"^\[equals\(parameters\('(?<name>\w+)'\), '(?<value>[^']*)'\)\]$");
        Assert.True(equals.Success, $"Condition of module {module} has a form this test does not evaluate: {condition}");
        return (string?)parameters[equals.Groups["name"].Value]!["value"] == equals.Groups["value"].Value;
    }

    private (JsonObject Parameters, ArmTemplate Main) Compile(string compute, string transport)
    {
        var file = Path.Combine(_folder.FullName, $"{compute}-{transport}.bicepparam");
        var template = Path.GetRelativePath(_folder.FullName, Path.Combine(RepositoryPaths.Infra, "main.bicep")).Replace('\\', '/');
        File.WriteAllText(file, $"using '{template}'\n\nparam environmentName = 'dev'\nparam classifierCompute = '{compute}'\nparam transport = '{transport}'\nparam classifierMinReplicas = 0\n");

        var build = BicepCli.Run("build-params", file, "--stdout");
        var lint = BicepCli.Run("lint", file);
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Empty(build.Diagnostics);
        Assert.True(lint.ExitCode == 0, lint.ToString());
        Assert.Empty(lint.Diagnostics);

        var envelope = JsonNode.Parse(build.StandardOutput)!;
        var parameters = JsonNode.Parse((string)envelope["parametersJson"]!)!["parameters"]!.AsObject();
        Assert.Equal(compute, (string?)parameters["classifierCompute"]!["value"]);
        Assert.Equal(transport, (string?)parameters["transport"]!["value"]);
        return (parameters, ArmTemplate.Parse((string)envelope["templateJson"]!));
    }

    private static int HostJsonQueueBatchSize() =>
        (int)JsonNode.Parse(File.ReadAllText(RepositoryPaths.File("host.json")))!["extensions"]!["queues"]!["batchSize"]!;

    private static IEnumerable<string> FunctionsInSource()
    {
        var names = typeof(PipelineNames).GetFields().ToDictionary(f => f.Name, f => (string?)f.GetRawConstantValue());
        return Directory.EnumerateFiles(RepositoryPaths.File("src", "CarClassifier.Functions"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"\[Function\(PipelineNames\.(?<name>\w+)\)\]").Select(m => names[m.Groups["name"].Value]!));
    }
}
