using Recommender.Models.Neural;
using Recommender.Models.Onnx.Proto;

namespace Recommender.Models.Onnx;

/// <summary>
/// Exports the neural model as ONNX; TorchSharp has no exporter, so we write the graph ourselves.
/// <code>
/// user_ids int64 [N] ─ Gather(user_embedding [U,d]) ─┐
///                                                    ├─ Concat(axis 1) [N,2d] ─ Gemm(transB=1)(+Relu) … ─ [N,1] ─ Squeeze(1) ─ rating float [N]
/// item_ids int64 [N] ─ Gather(item_embedding [I,d]) ─┘
/// </code>
/// The output is the raw network output, not clipped to the rating range: clipping is a serving
/// policy (and ranking must not see ties that clipping would create), so the server clips.
/// </summary>
public static class NeuralOnnxExporter
{
    /// <summary>Builds the model; exposed so callers and tests can inspect or amend it before writing.</summary>
    public static ModelProto BuildModel(NeuralWeights weights, IReadOnlyDictionary<string, string> metadata)
    {
        Validate(weights);
        ArgumentNullException.ThrowIfNull(metadata);

        var graph = new OnnxGraphBuilder("recommender_neural");
        var users = graph.AddInput(OnnxNames.UserIds, TensorProto.Types.DataType.Int64, OnnxDim.Batch);
        var items = graph.AddInput(OnnxNames.ItemIds, TensorProto.Types.DataType.Int64, OnnxDim.Batch);
        graph.AddOutput(OnnxNames.Rating, TensorProto.Types.DataType.Float, OnnxDim.Batch);

        var d = weights.EmbeddingDim;
        var userTable = graph.AddFloatInitializer("user_embedding", weights.UserEmbedding, weights.UserCount, d);
        var itemTable = graph.AddFloatInitializer("item_embedding", weights.ItemEmbedding, weights.ItemCount, d);
        var userVectors = graph.AddNode("Gather", [userTable, users], "user_vectors", OnnxAttributes.Int("axis", 0));
        var itemVectors = graph.AddNode("Gather", [itemTable, items], "item_vectors", OnnxAttributes.Int("axis", 0));
        var x = graph.AddNode("Concat", [userVectors, itemVectors], "features", OnnxAttributes.Int("axis", 1));

        for (var l = 0; l < weights.Layers.Count; l++)
        {
            var layer = weights.Layers[l];
            // Weight stays in PyTorch's [out, in] layout; transB=1 computes x Wᵀ + b without a copy.
            var w = graph.AddFloatInitializer($"dense{l}_weight", layer.Weight, layer.OutputSize, layer.InputSize);
            var b = graph.AddFloatInitializer($"dense{l}_bias", layer.Bias, layer.OutputSize);
            x = graph.AddNode("Gemm", [x, w, b], $"dense{l}_linear", OnnxAttributes.Int("transB", 1));
            if (layer.Relu)
            {
                x = graph.AddNode("Relu", [x], $"dense{l}_relu");
            }
        }

        // [N,1] → [N]: one score per pair, the shape serving binds without reshaping.
        var axes = graph.AddInt64Initializer("squeeze_axes", [1L], 1);
        graph.AddNode("Squeeze", [x, axes], OnnxNames.Rating);

        return OnnxModelWriter.CreateModel(graph.Build(), metadata,
            "Neural rating model: concat(user, item embeddings) through an MLP; raw output, unclipped.");
    }

    public static byte[] Export(NeuralWeights weights, IReadOnlyDictionary<string, string> metadata) =>
        OnnxModelWriter.ToBytes(BuildModel(weights, metadata));

    public static void ExportToFile(NeuralWeights weights, IReadOnlyDictionary<string, string> metadata, string path) =>
        OnnxModelWriter.WriteFile(BuildModel(weights, metadata), path);

    // Shape errors found here name the offending layer; found by ONNX Runtime they would surface
    // only at load time on the server, far from the trainer that made them.
    private static void Validate(NeuralWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weights.UserCount, nameof(weights));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weights.ItemCount, nameof(weights));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weights.EmbeddingDim, nameof(weights));
        if (weights.UserEmbedding.Length != (long)weights.UserCount * weights.EmbeddingDim
            || weights.ItemEmbedding.Length != (long)weights.ItemCount * weights.EmbeddingDim)
        {
            throw new ArgumentException("Embedding tables must be count x EmbeddingDim.", nameof(weights));
        }

        if (weights.Layers.Count == 0)
        {
            throw new ArgumentException("The network needs at least one dense layer.", nameof(weights));
        }

        var width = 2 * weights.EmbeddingDim;
        for (var l = 0; l < weights.Layers.Count; l++)
        {
            var layer = weights.Layers[l];
            if (layer.InputSize != width)
            {
                throw new ArgumentException($"Layer {l} takes {layer.InputSize} inputs but receives {width}.", nameof(weights));
            }

            if (layer.Weight.Length != (long)layer.OutputSize * layer.InputSize || layer.Bias.Length != layer.OutputSize)
            {
                throw new ArgumentException($"Layer {l} weight must be {layer.OutputSize} x {layer.InputSize} and bias {layer.OutputSize}.", nameof(weights));
            }

            width = layer.OutputSize;
        }

        if (width != 1)
        {
            throw new ArgumentException($"The last layer must output one value, not {width}.", nameof(weights));
        }
    }
}
