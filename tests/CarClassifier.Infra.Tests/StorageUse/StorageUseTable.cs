using System.Text.Json;
using System.Text.Json.Serialization;

namespace CarClassifier.Infra.Tests.StorageUse;

/// <summary>
/// infra/storage-use.json: every storage resource each identity touches at run time ("uses") and the role assignments
/// that allow it ("grants"). infra/app/rbac.bicep creates the grants from the same file. Shared (linked) by the infra
/// tests, which check grants against uses and the compiled template, and the end-to-end tests, which check what the
/// local host really touches against the uses.
/// </summary>
internal sealed class StorageUseTable
{
    /// <summary>Placeholder for the Flex deployment container, whose name main.bicep derives from the app name.</summary>
    public const string DeploymentContainer = "{deployment}";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    [JsonPropertyName("description")]
    public string Description { get; init; } = "";

    public Dictionary<string, StorageRole> Roles { get; init; } = [];

    public Dictionary<string, StorageIdentity> Identities { get; init; } = [];

    public static StorageUseTable Load(string path) =>
        JsonSerializer.Deserialize<StorageUseTable>(File.ReadAllText(path), Options)
        ?? throw new InvalidDataException($"{path} is empty.");

    /// <summary>The service a grant's scope lives in: containers are blob, queues queue, tables table; account scope takes the role's.</summary>
    public string ServiceOf(StorageGrant grant) => Roles[grant.Role].Service;

    /// <summary>Whether <paramref name="grant"/>'s scope includes the resource a use names (a prefix only fits account scope).</summary>
    public bool ScopeCovers(StorageGrant grant, StorageUse use) =>
        ServiceOf(grant) == use.Service
        && (grant.Scope == "account" || (use.Resource is not null && use.Resource == grant.Resource));

    /// <summary>The operations <paramref name="identity"/>'s grants allow on what <paramref name="use"/> names.</summary>
    public HashSet<string> AllowedOn(StorageIdentity identity, StorageUse use) =>
        identity.Grants.Where(g => ScopeCovers(g, use)).SelectMany(g => Roles[g.Role].Allows).ToHashSet(StringComparer.Ordinal);

    /// <summary>The uses (of any of <paramref name="identities"/>) that name this resource and list this operation.</summary>
    public IEnumerable<(string Identity, StorageUse Use)> UsesOf(IEnumerable<string> identities, string service, string resource, string op) =>
        identities.SelectMany(i => Identities[i].Uses.Select(u => (i, u)))
            .Where(x => x.u.Service == service && x.u.Matches(resource) && x.u.Ops.Contains(op, StringComparer.Ordinal));
}

internal sealed record StorageRole(string Id, string Service, IReadOnlyList<string> Allows);

internal sealed record StorageGrant(string Role, string Scope, string? Resource, string? BroaderBecause)
{
    public override string ToString() => $"{Role} on {Scope} {Resource}".TrimEnd();
}

internal sealed record StorageUse(string Service, string? Resource, string? ResourcePrefix, IReadOnlyList<string> Ops, string By)
{
    public bool Matches(string resource) =>
        Resource is not null ? Resource == resource : ResourcePrefix is not null && resource.StartsWith(ResourcePrefix, StringComparison.Ordinal);

    public override string ToString() => $"{Service} {Resource ?? ResourcePrefix + "*"} [{string.Join(',', Ops)}]";
}

internal sealed record StorageIdentity(string Runs, IReadOnlyList<StorageGrant> Grants, IReadOnlyList<StorageUse> Uses);
