using Recommender.Models.Onnx;
using Recommender.Models.Onnx.Proto;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Blend;

/// <summary>
/// Writes a blend as ONE ONNX graph holding every member's computation:
/// <code>
/// user_ids, item_ids int64 [N] ─┬─ member 0's graph (Gather/Mul/ReduceSum, Gather/Gemm/Relu, …) ─ Clip(min, max) ─ Mul(w₀) ─┐
///                               ├─ member 1's graph ─ Clip ─ Mul(w₁) ──────────────────────────────────────────────────── Add … ─ Add(intercept) ─ rating float [N]
///                               └─ …
/// </code>
/// Each member's values are prefixed with "m&lt;index&gt;_&lt;kind&gt;/", so tables never collide.
/// Members are clipped to the rating scale as they were when the weights were fitted; the blend's
/// own output is raw (serving clips it, as for every kind).
/// </summary>
public static class BlendOnnxExporter
{
    public static ModelProto BuildModel(IReadOnlyList<IBlendableModel> members, BlendWeights weights, float minRating, float maxRating,
        IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(metadata);
        if (members.Count == 0 || members.Count != weights.Weights.Count)
        {
            throw new ArgumentException($"{members.Count} members for {weights.Weights.Count} weights; a blend needs at least one member and one weight each.", nameof(weights));
        }

        var graph = new OnnxGraphBuilder("recommender_blend");
        var users = graph.AddInput(OnnxNames.UserIds, TensorProto.Types.DataType.Int64, OnnxDim.Batch);
        var items = graph.AddInput(OnnxNames.ItemIds, TensorProto.Types.DataType.Int64, OnnxDim.Batch);
        graph.AddOutput(OnnxNames.Rating, TensorProto.Types.DataType.Float, OnnxDim.Batch);
        var min = graph.AddFloatInitializer("rating_min", [minRating]);
        var max = graph.AddFloatInitializer("rating_max", [maxRating]);

        string? sum = null;
        for (var m = 0; m < members.Count; m++)
        {
            var prefix = $"m{m}_{members[m].Kind}/";
            var score = members[m].AddRatingGraph(graph, users, items, prefix);
            var clipped = graph.AddNode("Clip", [score, min, max], prefix + "clipped");
            var weight = graph.AddFloatInitializer(prefix + "blend_weight", [(float)weights.Weights[m]]);
            var weighted = graph.AddNode("Mul", [clipped, weight], prefix + "weighted");
            sum = sum is null ? weighted : graph.AddNode("Add", [sum, weighted], $"blend_sum_{m}");
        }

        var intercept = graph.AddFloatInitializer("blend_intercept", [(float)weights.Intercept]);
        graph.AddNode("Add", [sum!, intercept], OnnxNames.Rating);
        return OnnxModelWriter.CreateModel(graph.Build(), metadata,
            $"Linear blend of {string.Join(", ", members.Select(m => m.Kind))} (weights fitted on the validation part); raw output, unclipped.");
    }

    public static byte[] Export(IReadOnlyList<IBlendableModel> members, BlendWeights weights, float minRating, float maxRating,
        IReadOnlyDictionary<string, string> metadata) =>
        OnnxModelWriter.ToBytes(BuildModel(members, weights, minRating, maxRating, metadata));

    public static void ExportToFile(IReadOnlyList<IBlendableModel> members, BlendWeights weights, float minRating, float maxRating,
        IReadOnlyDictionary<string, string> metadata, string path) =>
        OnnxModelWriter.WriteFile(BuildModel(members, weights, minRating, maxRating, metadata), path);
}
