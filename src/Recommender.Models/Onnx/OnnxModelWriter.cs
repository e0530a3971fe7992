using System.Reflection;
using Google.Protobuf;
using Recommender.Models.Onnx.Proto;

namespace Recommender.Models.Onnx;

/// <summary>
/// Wraps a graph into an ONNX model and serializes it. The versions are pinned rather than "latest":
/// IR version 8 with opset 17 is what ONNX Runtime 1.31 (and every runtime since 1.13) loads, and
/// every operator we emit (Gather, Concat, Gemm, Relu, Squeeze, Mul, ReduceSum, Add, Unsqueeze,
/// TopK) has its current semantics at opset 17 (axes given as inputs, not attributes).
/// </summary>
public static class OnnxModelWriter
{
    public const long IrVersion = 8;

    public const long OpsetVersion = 17;

    public const string ProducerName = "Recommender";

    /// <summary>Our assembly's version, so a model file says which writer produced it.</summary>
    public static string ProducerVersion { get; } =
        typeof(OnnxModelWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(OnnxModelWriter).Assembly.GetName().Version?.ToString()
        ?? "0";

    /// <summary>
    /// Builds the model around <paramref name="graph"/>. Metadata entries are written sorted by key
    /// so the same weights and metadata always give the same bytes (stable checksums in manifests).
    /// </summary>
    public static ModelProto CreateModel(GraphProto graph, IReadOnlyDictionary<string, string> metadata, string? docString = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(metadata);

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersion,
            Graph = graph,
        };
        // Empty domain means the default ai.onnx operator set.
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion });
        if (docString is not null)
        {
            model.DocString = docString;
        }

        foreach (var (key, value) in metadata.OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(key, nameof(metadata));
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value ?? string.Empty });
        }

        return model;
    }

    public static byte[] ToBytes(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.ToByteArray();
    }

    /// <summary>
    /// Writes the model to <paramref name="path"/>. Not atomic by itself: the model repository
    /// publishes a whole version directory atomically (temporary sibling, fsync, rename).
    /// </summary>
    public static void WriteFile(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        model.WriteTo(stream);
        stream.Flush(flushToDisk: true);
    }
}
