using Recommender.Models.Mf;
using Recommender.Models.Onnx;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Blend;

/// <summary>A blend member the blend trained itself whose scores are a factorization (AutoRec), written with the MF pair graph.</summary>
public sealed class FactorizationMember(string kind, MfModel model) : IBlendableModel
{
    public string Kind { get; } = kind;

    public MfModel Model { get; } = model;

    public void Score(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> scores)
    {
        for (var n = 0; n < users.Length; n++)
        {
            scores[n] = Model.RawScore(users[n], items[n]);
        }
    }

    public string AddRatingGraph(OnnxGraphBuilder graph, string userIds, string itemIds, string prefix) =>
        MfOnnxExporter.AddPairScore(graph, Model, userIds, itemIds, prefix, prefix + "score");
}
