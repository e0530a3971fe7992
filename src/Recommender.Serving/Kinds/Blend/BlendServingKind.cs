using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// The blend kind: one ONNX graph holding every member's computation (user_ids, item_ids →
/// rating), run behind the dynamic batcher like the neural pair graph. It answers PredictRatings
/// when the request names no kind (its rating preference); Recommend with it scores the whole
/// catalog through the same graph.
/// </summary>
public sealed class BlendServingKind : IServingKind
{
    public ServedKind Kind => ServedKind.Blend;

    public int RankingPreference => 0;

    /// <summary>The blend is fitted to predict ratings better than its members: it answers PredictRatings by default.</summary>
    public int RatingPreference => 1;

    public bool IsIn(ModelVersionBundle bundle) => bundle.ModelPath(ModelEntry.BlendKind) is not null;

    public ServedKindModel Load(ModelVersionBundle bundle, ServingKindContext context)
    {
        var path = bundle.ModelPath(ModelEntry.BlendKind) ?? throw new InvalidDataException($"Version {bundle.Version} of '{bundle.ModelName}' has no blend model.");
        var resources = new List<object>();
        try
        {
            var session = context.Sessions.Open(path);
            resources.Add(session);
            NeuralServingKind.CheckSignature(session, path);
            var scorer = new NeuralOnnxScorer(session);
            resources.Add(scorer);
            PairSmokeTest.Run(scorer, bundle, path);
            var batcher = new PredictionBatcher(scorer, context.Options.Batching, context.Metrics);
            resources.Add(batcher);
            var itemCount = bundle.Items.Count;
            var allItems = Enumerable.Range(0, itemCount).Select(i => (long)i).ToArray();
            var ranker = new WholeCatalogRanker("pairs", itemCount, (user, scores) => NeuralServingKind.ScoreCatalog(scorer, allItems, user, scores));
            return new ServedKindModel(Kind, new BatchedPairScorer(scorer, batcher), ranker, scoresAreRatings: true, session.ExecutionProvider, resources);
        }
        catch
        {
            new ServedKindModel(Kind, null, null, true, null, resources).DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }
}
