using System.Text.Json.Nodes;
using CarClassifier.Core;

namespace CarClassifier.Infra.Tests.StorageUse;

/// <summary>
/// The storage use table (infra/storage-use.json) against itself and against the compiled template: every use is
/// allowed, no grant is unused or broader than its uses need, the role IDs are the built-in ones, the names are the
/// code's, and the deployment assigns exactly the table's grants to the right principals.
/// </summary>
public class StorageUseTableTests
{
    private static readonly StorageUseTable Table = StorageUseTable.Load(RepositoryPaths.File("infra", "storage-use.json"));

    /// <summary>
    /// The WebJobs blob extension's poison queue, a name fixed inside the extension (the CLI reads it as
    /// LocalHost/BlobTriggerPoisonQueue.Name; this project references only Core, so the literal is repeated here).
    /// </summary>
    private const string BlobTriggerPoisonQueue = "webjobs-blobtrigger-poison";

    public static TheoryData<string> Identities => new(Table.Identities.Keys);

    [Theory]
    [MemberData(nameof(Identities))]
    public void Uses_EveryOperation_IsAllowedByAGrantOnItsScope(string identityName)
    {
        var identity = Table.Identities[identityName];

        var missing = identity.Uses
            .SelectMany(u => u.Ops.Except(Table.AllowedOn(identity, u)).Select(op => $"{u}: {op}"))
            .ToList();

        Assert.True(missing.Count == 0, $"{identityName} uses storage its grants do not allow: {string.Join("; ", missing)}");
    }

    [Theory]
    [MemberData(nameof(Identities))]
    public void Grants_Each_IsNeededAndNoBroaderThanItsUses(string identityName)
    {
        var identity = Table.Identities[identityName];
        foreach (var grant in identity.Grants)
        {
            var role = Table.Roles[grant.Role];
            // What only this grant provides: operations its uses need that no other grant on the same resource allows.
            var needed = identity.Uses.Where(u => Table.ScopeCovers(grant, u))
                .SelectMany(u => u.Ops.Intersect(role.Allows).Except(identity.Grants
                    .Where(other => other != grant && Table.ScopeCovers(other, u))
                    .SelectMany(other => Table.Roles[other.Role].Allows)))
                .ToHashSet(StringComparer.Ordinal);
            Assert.True(needed.Count > 0, $"{identityName}: {grant} allows nothing its uses need that other grants do not.");

            var narrower = Table.Roles.Where(r => r.Value.Service == role.Service
                    && r.Value.Allows.Count < role.Allows.Count
                    && r.Value.Allows.All(role.Allows.Contains)
                    && needed.All(r.Value.Allows.Contains))
                .Select(r => r.Key)
                .ToList();
            if (narrower.Count > 0)
            {
                Assert.True(
                    grant.BroaderBecause?.Contains("https://learn.microsoft.com/", StringComparison.Ordinal) == true,
                    $"{identityName}: {grant} is broader than needed ({string.Join(", ", needed)}); {string.Join(" or ", narrower)} would do. " +
                    "Use it, or say why in broaderBecause with the page that asks for it.");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Identities))]
    public void Grants_Scopes_MatchTheRoleServiceAndAccountScopeOnlyForPlatformNamedResources(string identityName)
    {
        var identity = Table.Identities[identityName];
        foreach (var grant in identity.Grants)
        {
            var service = Table.ServiceOf(grant);
            var expectedScope = service switch { "blob" => "container", "queue" => "queue", "table" => "table", _ => "?" };
            if (grant.Scope == "account")
            {
                // Account scope is allowed only when a use's resource name is not known in advance (a prefix).
                Assert.Contains(identity.Uses, u => u.Service == service && u.ResourcePrefix is not null);
                Assert.Null(grant.Resource);
            }
            else
            {
                Assert.Equal(expectedScope, grant.Scope);
                Assert.False(string.IsNullOrEmpty(grant.Resource), $"{grant} names no resource.");
            }
        }
    }

    [Fact]
    public void Roles_Ids_AreTheBuiltInStorageRoles()
    {
        // "Azure built-in roles" (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles), Storage section.
        var expected = new Dictionary<string, string>
        {
            ["storageBlobDataReader"] = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
            ["storageBlobDataContributor"] = "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
            ["storageBlobDataOwner"] = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
            ["storageQueueDataReader"] = "19e7f393-937e-4f77-808e-94535e297925",
            ["storageQueueDataMessageSender"] = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a",
            ["storageQueueDataMessageProcessor"] = "8a0f0c08-91a1-4084-bc3d-661d67233fed",
            ["storageQueueDataContributor"] = "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
            ["storageTableDataReader"] = "76199698-9eea-4c19-bc75-cec21354c6b6",
            ["storageTableDataContributor"] = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        };

        Assert.Equal(expected.OrderBy(kv => kv.Key), Table.Roles.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Id)).OrderBy(kv => kv.Key));
    }

    [Fact]
    public void Names_PipelineResources_AreTheCodesNames()
    {
        var named = Table.Identities.Values.SelectMany(i => i.Uses).Select(u => u.Resource).OfType<string>().ToHashSet(StringComparer.Ordinal);

        Assert.Contains(PipelineNames.ImagesContainer, named);
        Assert.Contains(PipelineNames.WorkQueue, named);
        Assert.Contains(PipelineNames.PoisonQueue, named);
        Assert.Contains(PipelineNames.ResultsTable, named);
        Assert.Contains(BlobTriggerPoisonQueue, named);
    }

    [Fact]
    public void Names_EveryGrantedResource_IsCreatedByTheTemplate()
    {
        // rbac.bicep references granted resources as "existing": each must be one the storage module creates.
        var main = CompiledTemplates.Main;
        var pipeline = main.Variables["pipeline"]!;
        var created = new HashSet<string>(StringComparer.Ordinal)
        {
            (string)pipeline["imagesContainer"]!, (string)pipeline["workQueue"]!, (string)pipeline["poisonQueue"]!,
            (string)pipeline["resultsTable"]!, (string)main.Variables["blobTriggerPoisonQueue"]!,
            (string)main.Variables["deadLetterContainerName"]!, StorageUseTable.DeploymentContainer,
        };
        created.UnionWith(main.Variables["hostContainerNames"]!.AsArray().Select(n => (string)n!));

        var granted = Table.Identities.Values.SelectMany(i => i.Grants).Select(g => g.Resource).OfType<string>();

        Assert.All(granted, r => Assert.Contains(r, created));
    }

    [Fact]
    public void CompiledRbac_StorageUse_IsTheTableVerbatim()
    {
        var rbac = CompiledTemplates.Main.Module("rbac");
        var reference = (string?)rbac.Variables["storageUse"];
        var name = reference![("[variables('".Length)..^"')]".Length];

        var compiled = rbac.Variables[name]!;
        var file = JsonNode.Parse(File.ReadAllText(RepositoryPaths.File("infra", "storage-use.json")))!;

        Assert.True(JsonNode.DeepEquals(file, compiled), "The compiled template does not carry infra/storage-use.json as written.");
    }

    [Fact]
    public void CompiledRbac_StorageRoleAssignments_AreTheTableGrantsOnTheirScopes()
    {
        var rbac = CompiledTemplates.Main.Module("rbac");
        var assignments = rbac.Resources.Where(r => (string?)r["type"] == "Microsoft.Authorization/roleAssignments").ToList();
        var storage = assignments.Where(a => ((string?)a["scope"] ?? "").Contains("Microsoft.Storage", StringComparison.Ordinal)).ToList();

        // One copy loop per scope kind, each over the table's grants of that kind, and nothing else on storage.
        var expected = new Dictionary<string, string>
        {
            ["containerGrants"] = "Microsoft.Storage/storageAccounts/blobServices/containers",
            ["queueGrants"] = "Microsoft.Storage/storageAccounts/queueServices/queues",
            ["tableGrants"] = "Microsoft.Storage/storageAccounts/tableServices/tables",
            ["accountGrants"] = "Microsoft.Storage/storageAccounts'",
        };
        Assert.Equal(expected.Count, storage.Count);
        foreach (var (grants, scopeType) in expected)
        {
            var loop = Assert.Single(storage, a => ((string?)a["copy"]?["count"])?.Contains($"variables('{grants}')", StringComparison.Ordinal) == true);
            Assert.Contains(scopeType, (string?)loop["scope"], StringComparison.Ordinal);
            Assert.Equal($"[variables('{grants}')[copyIndex()].principalId]", (string?)loop["properties"]!["principalId"]);
            Assert.Contains($"variables('{grants}')[copyIndex()].roleId", (string?)loop["properties"]!["roleDefinitionId"], StringComparison.Ordinal);
            var kind = grants[..^"Grants".Length];
            Assert.Contains($"equals(lambdaVariables('g').scope, '{kind}')", (string?)rbac.Variables[grants], StringComparison.Ordinal);
        }

        // Grants map table identities to these principals, and roles through the table's own role IDs.
        var principals = rbac.Variables["principals"]!.AsObject();
        Assert.Equal(Table.Identities.Keys.Order(), principals.Select(p => p.Key).Order());
        Assert.Equal("[parameters('ingestPrincipalId')]", (string?)principals["ingest"]);
        Assert.Equal("[parameters('classifierPrincipalId')]", (string?)principals["classifier"]);
        Assert.Equal("[parameters('eventGridPrincipalId')]", (string?)principals["eventGrid"]);
        var derivation = (string?)rbac.Variables["storageGrants"];
        Assert.Contains("variables('principals')[lambdaVariables('identity').key]", derivation, StringComparison.Ordinal);
        Assert.Contains("variables('storageUse').roles[lambdaVariables('grant').role].id", derivation, StringComparison.Ordinal);
    }

    [Fact]
    public void Principals_EachApp_RunsAsTheIdentityItsGrantsGoTo()
    {
        var main = CompiledTemplates.Main;
        var rbac = main.ModuleParameters("rbac");
        var ingest = main.ModuleParameters("ingest");
        var classifier = main.ModuleParameters("classifier");

        Assert.Contains("'ingest-identity'", (string?)rbac["ingestPrincipalId"]!["value"], StringComparison.Ordinal);
        Assert.Contains("'classifier-identity'", (string?)rbac["classifierPrincipalId"]!["value"], StringComparison.Ordinal);
        Assert.Contains("'ingest-identity'", (string?)ingest["identityId"]!["value"], StringComparison.Ordinal);
        Assert.Contains("'ingest-identity'", (string?)ingest["identityClientId"]!["value"], StringComparison.Ordinal);
        Assert.Contains("'classifier-identity'", (string?)classifier["identityId"]!["value"], StringComparison.Ordinal);
        Assert.Contains("'classifier-identity'", (string?)classifier["identityClientId"]!["value"], StringComparison.Ordinal);
    }

    [Fact]
    public void Grants_PerIdentity_AreExactlyTheseAndNoBroader()
    {
        // The whole grant set, spelled out: a change to the table must change this test on purpose.
        static string[] Of(string identity) => Table.Identities[identity].Grants.Select(g => g.ToString()).Order().ToArray();

        Assert.Equal(
            new[]
            {
                "storageBlobDataContributor on container {deployment}",
                "storageBlobDataOwner on container azure-webjobs-hosts",
                "storageBlobDataOwner on container azure-webjobs-secrets",
                "storageBlobDataReader on container images",
                "storageQueueDataContributor on account",
                "storageTableDataContributor on table classifications",
            },
            Of("ingest"));
        Assert.Equal(
            new[]
            {
                "storageBlobDataOwner on container azure-webjobs-hosts",
                "storageBlobDataOwner on container azure-webjobs-secrets",
                "storageBlobDataReader on container images",
                "storageQueueDataContributor on queue classify-requests-poison",
                "storageQueueDataMessageProcessor on queue classify-requests",
                "storageQueueDataReader on queue classify-requests",
                "storageTableDataContributor on table classifications",
            },
            Of("classifier"));
        Assert.Equal(["storageBlobDataContributor on container eventgrid-deadletter"], Of("eventGrid"));
    }

    [Fact]
    public void Grants_NoIdentity_CanWriteTheImagesContainer()
    {
        var images = new StorageUse("blob", PipelineNames.ImagesContainer, null, [], "");

        Assert.All(Table.Identities, i => Assert.Subset(new HashSet<string>(["read"]), Table.AllowedOn(i.Value, images)));
    }
}
