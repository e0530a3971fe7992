using Recommender.Models.Neural;
using Recommender.Models.Onnx.Proto;

namespace Recommender.Models.Onnx;

/// <summary>
/// The neural model as a ranking graph: one user against the whole catalog in one run.
/// The first layer is split as in the pair graph (<see cref="FirstLayerParts"/>): a request
/// gathers its user's part once and then pays only the later layers per item.
/// <code>
/// user_ids int64 [N] ─ Gather(dense0_user_part) [N,h] ─ Unsqueeze(1) [N,1,h]
///   ─ Add(item_part [I,h]) [N,I,h] ─ Relu ─ (MatMul Wₗᵀ ─ Add bₗ ─ Relu)… [N,I,1] ─ Squeeze(2) ─ scores float [N,I]
/// </code>
/// Scores are raw (unclipped) and equal the pair graph's up to float rounding. The item part
/// costs I x h floats (h = first hidden size): 0.4 MB for ML-100K, 256 MB for 1 M items at h=64.
/// </summary>
public static class NeuralRankOnnxExporter
{
    public static ModelProto BuildModel(NeuralWeights weights, IReadOnlyDictionary<string, string> metadata)
    {
        // The pair exporter's checks cover the same weights (shapes, layer chain, one output).
        NeuralOnnxExporter.Validate(weights);
        ArgumentNullException.ThrowIfNull(metadata);
        if (weights.Gmf is not null || weights.Biases is not null)
        {
            throw new ArgumentException("The ranking graph splits the notebook's network only; NeuMF weights rank through the pair graph.", nameof(weights));
        }

        var first = weights.Layers[0];
        var hidden = first.OutputSize;
        var graph = new OnnxGraphBuilder("recommender_neural_rank");
        var users = graph.AddInput(OnnxNames.UserIds, TensorProto.Types.DataType.Int64, OnnxDim.Batch);
        graph.AddOutput(OnnxNames.Scores, TensorProto.Types.DataType.Float, OnnxDim.Batch, OnnxDim.Fixed(weights.ItemCount));

        var userTable = graph.AddFloatInitializer("dense0_user_part", FirstLayerParts.UserPart(weights), weights.UserCount, hidden);
        var itemPart = graph.AddFloatInitializer("dense0_item_part", FirstLayerParts.ItemPart(weights), weights.ItemCount, hidden);
        var userPart = graph.AddNode("Gather", [userTable, users], "dense0_user_values", OnnxAttributes.Int("axis", 0));
        var axis1 = graph.AddInt64Initializer("axis_1", [1L], 1);
        var userColumn = graph.AddNode("Unsqueeze", [userPart, axis1], "dense0_user_column");
        var x = graph.AddNode("Add", [userColumn, itemPart], "dense0_linear");
        if (first.Relu)
        {
            x = graph.AddNode("Relu", [x], "dense0_relu");
        }

        for (var l = 1; l < weights.Layers.Count; l++)
        {
            var layer = weights.Layers[l];
            var w = graph.AddFloatInitializer($"dense{l}_weight_t", layer.Transposed(0, layer.InputSize), layer.InputSize, layer.OutputSize);
            var b = graph.AddFloatInitializer($"dense{l}_bias", layer.Bias, layer.OutputSize);
            x = graph.AddNode("MatMul", [x, w], $"dense{l}_matmul");
            x = graph.AddNode("Add", [x, b], $"dense{l}_linear");
            if (layer.Relu)
            {
                x = graph.AddNode("Relu", [x], $"dense{l}_relu");
            }
        }

        var axis2 = graph.AddInt64Initializer("axis_2", [2L], 1);
        graph.AddNode("Squeeze", [x, axis2], OnnxNames.Scores);
        return OnnxModelWriter.CreateModel(graph.Build(), metadata,
            "Neural ranking graph: every catalog item for each user; raw output, unclipped.");
    }

    public static void ExportToFile(NeuralWeights weights, IReadOnlyDictionary<string, string> metadata, string path) =>
        OnnxModelWriter.WriteFile(BuildModel(weights, metadata), path);

    public static byte[] Export(NeuralWeights weights, IReadOnlyDictionary<string, string> metadata) =>
        OnnxModelWriter.ToBytes(BuildModel(weights, metadata));
}
