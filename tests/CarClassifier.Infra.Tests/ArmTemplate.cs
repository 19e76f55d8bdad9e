using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CarClassifier.Infra.Tests;

/// <summary>
/// A compiled ARM template (from <c>bicep build --stdout</c>) with helpers that look through nested
/// module deployments. Handles both template language versions (resources as an array or as a map).
/// </summary>
internal sealed class ArmTemplate
{
    private static readonly JsonSerializerOptions RawOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public ArmTemplate(JsonObject root, string text)
    {
        Root = root;
        Text = text;
    }

    public JsonObject Root { get; }

    /// <summary>The whole compiled template, for "this must appear nowhere" checks.</summary>
    public string Text { get; }

    public JsonObject Parameters => Root["parameters"]?.AsObject() ?? [];

    public JsonObject Variables => Root["variables"]?.AsObject() ?? [];

    public JsonObject Outputs => Root["outputs"]?.AsObject() ?? [];

    public static ArmTemplate Parse(string json)
    {
        var node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 256 })
            ?? throw new InvalidDataException("Empty template.");
        return new ArmTemplate(node.AsObject(), json);
    }

    /// <summary>Resources declared directly in this template (not in nested modules).</summary>
    public IEnumerable<JsonObject> Resources => ResourcesOf(Root);

    /// <summary>Resources in this template and every nested module, depth first, "existing" references left out.</summary>
    public IEnumerable<JsonObject> AllResources => Flatten(Root).Where(r => r["existing"]?.GetValue<bool>() != true);

    public IEnumerable<JsonObject> OfType(string type) =>
        AllResources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    public JsonObject Single(string type)
    {
        var matches = OfType(type).ToList();
        Assert.True(matches.Count == 1, $"Expected one {type}, found {matches.Count}.");
        return matches[0];
    }

    /// <summary>The nested template of the module deployment with this name, wherever it is.</summary>
    public ArmTemplate Module(string deploymentName)
    {
        var deployment = Flatten(Root).SingleOrDefault(r =>
            (string?)r["type"] == "Microsoft.Resources/deployments" && (string?)r["name"] == deploymentName)
            ?? throw new InvalidOperationException($"No module deployment named '{deploymentName}'.");
        var template = deployment["properties"]!["template"]!.AsObject();
        return new ArmTemplate(template, Raw(template));
    }

    /// <summary>JSON text of a node without escaping quotes, so ARM expressions read as written.</summary>
    public static string Raw(JsonNode node) => node.ToJsonString(RawOptions);

    /// <summary>The parameter values a module deployment passes in (each a {"value": ...} object or an expression).</summary>
    public JsonObject ModuleParameters(string deploymentName)
    {
        var deployment = Resources.Single(r =>
            (string?)r["type"] == "Microsoft.Resources/deployments" && (string?)r["name"] == deploymentName);
        return deployment["properties"]!["parameters"]!.AsObject();
    }

    private static IEnumerable<JsonObject> ResourcesOf(JsonObject template) => template["resources"] switch
    {
        JsonArray array => array.Select(r => r!.AsObject()),
        JsonObject map => map.Select(kv => kv.Value!.AsObject()),
        _ => [],
    };

    private static IEnumerable<JsonObject> Flatten(JsonObject template)
    {
        foreach (var resource in ResourcesOf(template))
        {
            yield return resource;
            if ((string?)resource["type"] == "Microsoft.Resources/deployments"
                && resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in Flatten(nested))
                {
                    yield return inner;
                }
            }
        }
    }
}
