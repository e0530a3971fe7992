using Recommender.Models.Onnx;

namespace Recommender.Training.Pipeline;

/// <summary>
/// A trained model whose scores are ratings and whose computation can be written into another
/// ONNX graph: what a blend combines. Rating kinds' <see cref="TrainedModel"/>s implement it.
/// </summary>
public interface IBlendableModel
{
    /// <summary>The member's name in the blend ("mf", "neural", "baseline").</summary>
    string Kind { get; }

    /// <summary>Raw (unclipped) scores of dense (user, item) index pairs, computed as the exported graph computes them.</summary>
    void Score(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> scores);

    /// <summary>
    /// Adds the model's pair scoring to <paramref name="graph"/> (int64 [N] user and item values
    /// in), naming every value it creates with <paramref name="prefix"/>; returns the name of its raw score, float [N].
    /// </summary>
    string AddRatingGraph(OnnxGraphBuilder graph, string userIds, string itemIds, string prefix);
}
