using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Recommender.Deployment.Tests;

/// <summary>Rendered Kubernetes objects as JSON nodes (every scalar a string, as YAML gives them).</summary>
internal static class KubeObjects
{
    public static IReadOnlyList<JsonObject> Parse(string yaml)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml))
        {
            stream.Load(reader);
        }

        return [.. stream.Documents
            .Select(d => ToJson(d.RootNode))
            .OfType<JsonObject>()];
    }

    public static IReadOnlyList<JsonObject> Render(string overlayDirectory) => Parse(ProcessRunner.Kustomize(overlayDirectory));

    public static string Kind(this JsonObject o) => o.Str("kind") ?? "";

    public static string Name(this JsonObject o) => o.Path("metadata", "name")?.GetValue<string>() ?? "";

    public static string Describe(this JsonObject o) => $"{o.Kind()}/{o.Name()}";

    public static string? Str(this JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v ? v.GetValue<string>() : null;

    public static JsonNode? Path(this JsonNode? node, params string[] keys)
    {
        foreach (var key in keys)
        {
            node = node is JsonObject o ? o[key] : null;
        }

        return node;
    }

    public static IEnumerable<JsonObject> Items(this JsonNode? node) =>
        node is JsonArray a ? a.OfType<JsonObject>() : [];

    public static IEnumerable<(string Key, string Value)> StringMap(this JsonNode? node) =>
        node is JsonObject o
            ? o.Where(kv => kv.Value is JsonValue).Select(kv => (kv.Key, kv.Value!.GetValue<string>()))
            : [];

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlScalarNode s when s.Value is null || (s.Style == YamlDotNet.Core.ScalarStyle.Plain && s.Value is "" or "null" or "~") => null,
        YamlScalarNode s => JsonValue.Create(s.Value),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlMappingNode map => ToObject(map),
        _ => throw new InvalidOperationException($"Unsupported YAML node {node.NodeType}"),
    };

    private static JsonObject ToObject(YamlMappingNode map)
    {
        var o = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            o[((YamlScalarNode)key).Value!] = ToJson(value);
        }

        return o;
    }
}
