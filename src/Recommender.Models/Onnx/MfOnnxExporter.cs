using Recommender.Models.Mf;
using Recommender.Models.Onnx.Proto;

namespace Recommender.Models.Onnx;

/// <summary>
/// Exports a matrix factorization as two ONNX graphs, so MF runs in the same runtime (and on the
/// same GPU) as the neural model:
/// <list type="bullet">
/// <item><b>Pair scoring</b>: <c>user_ids</c>, <c>item_ids</c> int64 [N] → <c>rating</c> float [N]:
/// Gather P, Gather Q → Mul → ReduceSum(axis 1) [+ mean + b_u + b_i].</item>
/// <item><b>Top-k</b>: <c>user_ids</c> int64 [B], <c>k</c> int64 [1] → <c>scores</c> float [B,k],
/// <c>item_indices</c> int64 [B,k]: Gather P → Gemm with Q (transB=1) [B,I] [+ biases] → TopK.</item>
/// </list>
/// Scores are raw (unclipped): clipping is the server's policy, and clipping before TopK would
/// turn every score above the maximum rating into a tie.
/// The top-k graph knows nothing of which items a user has seen. Serving asks for
/// k + (number of items it will exclude), at most the catalog size (TopK fails when k exceeds the
/// axis), and drops excluded items in managed code: the result still holds k valid items.
/// </summary>
public static class MfOnnxExporter
{
    public static ModelProto BuildPairModel(MfModel model, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);

        var graph = new OnnxGraphBuilder("recommender_mf_pairs");
        var users = graph.AddInput(OnnxNames.UserIds, TensorProto.Types.DataType.Int64, OnnxDim.Batch);
        var items = graph.AddInput(OnnxNames.ItemIds, TensorProto.Types.DataType.Int64, OnnxDim.Batch);
        graph.AddOutput(OnnxNames.Rating, TensorProto.Types.DataType.Float, OnnxDim.Batch);

        AddPairScore(graph, model, users, items, "", OnnxNames.Rating);
        return OnnxModelWriter.CreateModel(graph.Build(), metadata,
            "Matrix factorization pair scoring; raw score, unclipped.");
    }

    /// <summary>
    /// Adds the pair-scoring computation to <paramref name="graph"/>: int64 [N] user and item
    /// values in, the raw score float [N] out as <paramref name="output"/>. Every value it creates
    /// is named with <paramref name="prefix"/>, so several models can share one graph (a blend).
    /// </summary>
    public static string AddPairScore(OnnxGraphBuilder graph, MfModel model, string users, string items, string prefix, string output)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prefix);
        var p = graph.AddFloatInitializer(prefix + "user_factors", model.UserFactors, model.UserCount, model.Factors);
        var q = graph.AddFloatInitializer(prefix + "item_factors", model.ItemFactors, model.ItemCount, model.Factors);
        var userVectors = graph.AddNode("Gather", [p, users], prefix + "user_vectors", OnnxAttributes.Int("axis", 0));
        var itemVectors = graph.AddNode("Gather", [q, items], prefix + "item_vectors", OnnxAttributes.Int("axis", 0));
        var products = graph.AddNode("Mul", [userVectors, itemVectors], prefix + "products");
        var axes = graph.AddInt64Initializer(prefix + "reduce_axes", [1L], 1);
        var dotName = model.Biases is null ? output : prefix + "dot";
        var dot = graph.AddNode("ReduceSum", [products, axes], dotName, OnnxAttributes.Int("keepdims", 0));

        if (model.Biases is { } biases)
        {
            // Same association as MfModel.RawScore: ((mean + b_u) + b_i) + dot.
            var mean = graph.AddFloatInitializer(prefix + "global_mean", [biases.GlobalMean]);
            var userBiasTable = graph.AddFloatInitializer(prefix + "user_bias", biases.User, model.UserCount);
            var itemBiasTable = graph.AddFloatInitializer(prefix + "item_bias", biases.Item, model.ItemCount);
            var userBias = graph.AddNode("Gather", [userBiasTable, users], prefix + "user_bias_values", OnnxAttributes.Int("axis", 0));
            var itemBias = graph.AddNode("Gather", [itemBiasTable, items], prefix + "item_bias_values", OnnxAttributes.Int("axis", 0));
            var withUser = graph.AddNode("Add", [mean, userBias], prefix + "mean_plus_user_bias");
            var withItem = graph.AddNode("Add", [withUser, itemBias], prefix + "bias_sum");
            graph.AddNode("Add", [withItem, dot], output);
        }

        return output;
    }

    public static ModelProto BuildTopKModel(MfModel model, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);

        var graph = new OnnxGraphBuilder("recommender_mf_topk");
        var users = graph.AddInput(OnnxNames.UserIds, TensorProto.Types.DataType.Int64, OnnxDim.Batch);
        var k = graph.AddInput(OnnxNames.K, TensorProto.Types.DataType.Int64, OnnxDim.Fixed(1));
        var kDim = OnnxDim.Symbolic("k");
        graph.AddOutput(OnnxNames.Scores, TensorProto.Types.DataType.Float, OnnxDim.Batch, kDim);
        graph.AddOutput(OnnxNames.ItemIndices, TensorProto.Types.DataType.Int64, OnnxDim.Batch, kDim);

        var p = graph.AddFloatInitializer("user_factors", model.UserFactors, model.UserCount, model.Factors);
        // Q keeps the factor file's [I, K] layout; Gemm's transB=1 multiplies by Qᵀ without storing
        // a transposed copy, and ONNX Runtime pre-packs the constant B once at load.
        var q = graph.AddFloatInitializer("item_factors", model.ItemFactors, model.ItemCount, model.Factors);
        var userVectors = graph.AddNode("Gather", [p, users], "user_vectors", OnnxAttributes.Int("axis", 0));

        string catalogScores;
        if (model.Biases is { } biases)
        {
            // mean + b_i is the same for every user: fold it into one [I] row that Gemm's C input
            // broadcasts over the batch, so the bias costs no extra pass over [B, I]. Only b_u
            // needs its own broadcast Add ([B,1] over [B,I]). Ranking ignores b_u and the mean, but
            // the scores returned must be the model's scores.
            var itemOffset = new float[model.ItemCount];
            for (var i = 0; i < itemOffset.Length; i++)
            {
                itemOffset[i] = biases.GlobalMean + biases.Item[i];
            }

            var c = graph.AddFloatInitializer("item_offset", itemOffset, model.ItemCount);
            var dots = graph.AddNode("Gemm", [userVectors, q, c], "item_scores", OnnxAttributes.Int("transB", 1));
            var userBiasTable = graph.AddFloatInitializer("user_bias", biases.User, model.UserCount);
            var userBias = graph.AddNode("Gather", [userBiasTable, users], "user_bias_values", OnnxAttributes.Int("axis", 0));
            var unsqueezeAxes = graph.AddInt64Initializer("unsqueeze_axes", [1L], 1);
            var userBiasColumn = graph.AddNode("Unsqueeze", [userBias, unsqueezeAxes], "user_bias_column");
            catalogScores = graph.AddNode("Add", [dots, userBiasColumn], "catalog_scores");
        }
        else
        {
            catalogScores = graph.AddNode("Gemm", [userVectors, q], "catalog_scores", OnnxAttributes.Int("transB", 1));
        }

        graph.AddNode("TopK", [catalogScores, k], [OnnxNames.Scores, OnnxNames.ItemIndices],
            OnnxAttributes.Int("axis", -1), OnnxAttributes.Int("largest", 1), OnnxAttributes.Int("sorted", 1));

        return OnnxModelWriter.CreateModel(graph.Build(), metadata,
            "Matrix factorization top-k over the catalog; raw scores, unclipped; exclusions are the caller's.");
    }

    public static byte[] ExportPair(MfModel model, IReadOnlyDictionary<string, string> metadata) =>
        OnnxModelWriter.ToBytes(BuildPairModel(model, metadata));

    public static byte[] ExportTopK(MfModel model, IReadOnlyDictionary<string, string> metadata) =>
        OnnxModelWriter.ToBytes(BuildTopKModel(model, metadata));

    public static void ExportPairToFile(MfModel model, IReadOnlyDictionary<string, string> metadata, string path) =>
        OnnxModelWriter.WriteFile(BuildPairModel(model, metadata), path);

    public static void ExportTopKToFile(MfModel model, IReadOnlyDictionary<string, string> metadata, string path) =>
        OnnxModelWriter.WriteFile(BuildTopKModel(model, metadata), path);
}
