using Recommender.Models.Neural;
using Recommender.Models.Onnx.Proto;

namespace Recommender.Models.Onnx;

/// <summary>
/// Exports the neural model as ONNX; TorchSharp has no exporter, so we write the graph ourselves.
/// A network of two layers or more, or an ensemble of such networks, is written stacked
/// (<see cref="StackedEnsembleOnnx"/>): the first layer precomputed per user and per item, every
/// member in the same nodes. A one-layer network keeps the plain form (<see cref="AddPairScore"/>):
/// <code>
/// user_ids int64 [N] ─ Gather(user_embedding [U,d]) ─┐
///                                                    ├─ Concat(axis 1) [N,2d] ─ Gemm(transB=1)(+Relu) … ─ [N,1] ─ Squeeze(1) ─ rating float [N]
/// item_ids int64 [N] ─ Gather(item_embedding [I,d]) ─┘
/// </code>
/// NeuMF weights add a GMF branch (Gather, Gather, Mul) concatenated before the last Gemm, and
/// mean + b_u + b_i (Gather, Add) after the Squeeze.
/// The output is the raw network output, not clipped to the rating range: clipping is a serving
/// policy (and ranking must not see ties that clipping would create), so the server clips.
/// </summary>
public static class NeuralOnnxExporter
{
    /// <summary>Builds the model; exposed so callers and tests can inspect or amend it before writing.</summary>
    public static ModelProto BuildModel(NeuralWeights weights, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(metadata);

        var graph = new OnnxGraphBuilder("recommender_neural");
        var users = graph.AddInput(OnnxNames.UserIds, TensorProto.Types.DataType.Int64, OnnxDim.Batch);
        var items = graph.AddInput(OnnxNames.ItemIds, TensorProto.Types.DataType.Int64, OnnxDim.Batch);
        graph.AddOutput(OnnxNames.Rating, TensorProto.Types.DataType.Float, OnnxDim.Batch);

        AddEnsembleScore(graph, [weights], users, items, "", OnnxNames.Rating);
        return OnnxModelWriter.CreateModel(graph.Build(), metadata,
            "Neural rating model: concat(user, item embeddings) through an MLP; raw output, unclipped.");
    }

    /// <summary>
    /// An ensemble of networks over the same index space as one graph: every member's pair score,
    /// averaged (Sum, then Mul by 1/count). One member builds exactly <see cref="BuildModel(NeuralWeights, IReadOnlyDictionary{string, string})"/>.
    /// </summary>
    public static ModelProto BuildModel(IReadOnlyList<NeuralWeights> members, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 1)
        {
            return BuildModel(members[0], metadata);
        }

        ArgumentNullException.ThrowIfNull(metadata);
        var graph = new OnnxGraphBuilder("recommender_neural");
        var users = graph.AddInput(OnnxNames.UserIds, TensorProto.Types.DataType.Int64, OnnxDim.Batch);
        var items = graph.AddInput(OnnxNames.ItemIds, TensorProto.Types.DataType.Int64, OnnxDim.Batch);
        graph.AddOutput(OnnxNames.Rating, TensorProto.Types.DataType.Float, OnnxDim.Batch);
        AddEnsembleScore(graph, members, users, items, "", OnnxNames.Rating);
        return OnnxModelWriter.CreateModel(graph.Build(), metadata,
            $"Neural rating model: the mean of {members.Count} networks trained from different seeds; raw output, unclipped.");
    }

    /// <summary>
    /// Adds the members' average to <paramref name="graph"/> (see <see cref="AddPairScore"/> for
    /// the arguments): stacked into one network (<see cref="StackedEnsembleOnnx"/>) whenever their
    /// shapes allow; otherwise member m's values are
    /// named with <paramref name="prefix"/> + "m{m}_".
    /// </summary>
    public static string AddEnsembleScore(OnnxGraphBuilder graph, IReadOnlyList<NeuralWeights> members, string users, string items, string prefix, string output)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentOutOfRangeException.ThrowIfZero(members.Count, nameof(members));
        foreach (var member in members)
        {
            Validate(member);
        }

        if (StackedEnsembleOnnx.CanStack(members))
        {
            return StackedEnsembleOnnx.Add(graph, members, users, items, prefix, output);
        }

        if (members.Count == 1)
        {
            return AddPairScore(graph, members[0], users, items, prefix, output);
        }

        var scores = members.Select((weights, m) => AddPairScore(graph, weights, users, items, $"{prefix}m{m}_", $"{prefix}m{m}_score")).ToArray();
        var sum = graph.AddNode("Sum", scores, prefix + "ensemble_sum");
        var scale = graph.AddFloatInitializer(prefix + "ensemble_scale", [1f / members.Count]);
        return graph.AddNode("Mul", [sum, scale], output);
    }

    /// <summary>
    /// Adds the network to <paramref name="graph"/>: int64 [N] user and item values in, the raw
    /// rating float [N] out as <paramref name="output"/>; every value it creates is named with
    /// <paramref name="prefix"/>, so several models can share one graph (a blend).
    /// </summary>
    public static string AddPairScore(OnnxGraphBuilder graph, NeuralWeights weights, string users, string items, string prefix, string output)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(prefix);
        Validate(weights);
        var d = weights.EmbeddingDim;
        var userTable = graph.AddFloatInitializer(prefix + "user_embedding", weights.UserEmbedding, weights.UserCount, d);
        var itemTable = graph.AddFloatInitializer(prefix + "item_embedding", weights.ItemEmbedding, weights.ItemCount, d);
        var userVectors = graph.AddNode("Gather", [userTable, users], prefix + "user_vectors", OnnxAttributes.Int("axis", 0));
        var itemVectors = graph.AddNode("Gather", [itemTable, items], prefix + "item_vectors", OnnxAttributes.Int("axis", 0));
        var x = graph.AddNode("Concat", [userVectors, itemVectors], prefix + "features", OnnxAttributes.Int("axis", 1));

        for (var l = 0; l < weights.Layers.Count; l++)
        {
            var layer = weights.Layers[l];
            if (l == weights.Layers.Count - 1 && weights.Gmf is { } gmf)
            {
                // NeuMF: the last layer sees the MLP's output beside the GMF branch's product.
                var userGmfTable = graph.AddFloatInitializer(prefix + "user_gmf", gmf.UserFactors, weights.UserCount, gmf.Dim);
                var itemGmfTable = graph.AddFloatInitializer(prefix + "item_gmf", gmf.ItemFactors, weights.ItemCount, gmf.Dim);
                var userGmf = graph.AddNode("Gather", [userGmfTable, users], prefix + "user_gmf_vectors", OnnxAttributes.Int("axis", 0));
                var itemGmf = graph.AddNode("Gather", [itemGmfTable, items], prefix + "item_gmf_vectors", OnnxAttributes.Int("axis", 0));
                var product = graph.AddNode("Mul", [userGmf, itemGmf], prefix + "gmf_product");
                x = graph.AddNode("Concat", [x, product], prefix + "neumf_features", OnnxAttributes.Int("axis", 1));
            }

            // Weight stays in PyTorch's [out, in] layout; transB=1 computes x Wᵀ + b without a copy.
            var w = graph.AddFloatInitializer($"{prefix}dense{l}_weight", layer.Weight, layer.OutputSize, layer.InputSize);
            var b = graph.AddFloatInitializer($"{prefix}dense{l}_bias", layer.Bias, layer.OutputSize);
            x = graph.AddNode("Gemm", [x, w, b], $"{prefix}dense{l}_linear", OnnxAttributes.Int("transB", 1));
            if (layer.Relu)
            {
                x = graph.AddNode("Relu", [x], $"{prefix}dense{l}_relu");
            }
        }

        // [N,1] → [N]: one score per pair, the shape serving binds without reshaping.
        var axes = graph.AddInt64Initializer(prefix + "squeeze_axes", [1L], 1);
        if (weights.Biases is not { } biases)
        {
            return graph.AddNode("Squeeze", [x, axes], output);
        }

        var network = graph.AddNode("Squeeze", [x, axes], prefix + "network_output");
        var mean = graph.AddFloatInitializer(prefix + "global_mean", [biases.GlobalMean]);
        var userBiasTable = graph.AddFloatInitializer(prefix + "user_bias", biases.User, weights.UserCount);
        var itemBiasTable = graph.AddFloatInitializer(prefix + "item_bias", biases.Item, weights.ItemCount);
        var userBias = graph.AddNode("Gather", [userBiasTable, users], prefix + "user_bias_values", OnnxAttributes.Int("axis", 0));
        var itemBias = graph.AddNode("Gather", [itemBiasTable, items], prefix + "item_bias_values", OnnxAttributes.Int("axis", 0));
        // ((network + mean) + b_u) + b_i: the association NeuralRatingModel uses.
        var withMean = graph.AddNode("Add", [network, mean], prefix + "plus_mean");
        var withUser = graph.AddNode("Add", [withMean, userBias], prefix + "plus_user_bias");
        return graph.AddNode("Add", [withUser, itemBias], output);
    }

    public static byte[] Export(NeuralWeights weights, IReadOnlyDictionary<string, string> metadata) =>
        OnnxModelWriter.ToBytes(BuildModel(weights, metadata));

    public static void ExportToFile(NeuralWeights weights, IReadOnlyDictionary<string, string> metadata, string path) =>
        OnnxModelWriter.WriteFile(BuildModel(weights, metadata), path);

    public static byte[] Export(IReadOnlyList<NeuralWeights> members, IReadOnlyDictionary<string, string> metadata) =>
        OnnxModelWriter.ToBytes(BuildModel(members, metadata));

    public static void ExportToFile(IReadOnlyList<NeuralWeights> members, IReadOnlyDictionary<string, string> metadata, string path) =>
        OnnxModelWriter.WriteFile(BuildModel(members, metadata), path);

    // Shape errors found here name the offending layer; found by ONNX Runtime they would surface
    // only at load time on the server, far from the trainer that made them.
    internal static void Validate(NeuralWeights weights)
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

        if (weights.Gmf is { } gmf && (gmf.Dim <= 0 || gmf.UserFactors.Length != (long)weights.UserCount * gmf.Dim
            || gmf.ItemFactors.Length != (long)weights.ItemCount * gmf.Dim))
        {
            throw new ArgumentException("GMF tables must be count x Gmf.Dim.", nameof(weights));
        }

        if (weights.Biases is { } biases && (biases.User.Length != weights.UserCount || biases.Item.Length != weights.ItemCount))
        {
            throw new ArgumentException("Bias vectors must match the user and item counts.", nameof(weights));
        }

        var width = 2 * weights.EmbeddingDim;
        for (var l = 0; l < weights.Layers.Count; l++)
        {
            var layer = weights.Layers[l];
            if (l == weights.Layers.Count - 1 && weights.Gmf is { } branch)
            {
                width += branch.Dim;
            }

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
