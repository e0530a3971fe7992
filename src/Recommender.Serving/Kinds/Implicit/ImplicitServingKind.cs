using Recommender.Models;
using Recommender.Models.Implicit;
using Recommender.Models.Mf;
using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// The implicit kind: a ranking model (its scores are preferences, not ratings, so it answers no
/// PredictRatings). Recommend ranks with dot products over its factors, with the MF kind's ranker
/// choice (calls scored together on a large catalog, else SIMD or its top-k graph; no biases); it is the
/// kind Recommend prefers when a request names none. Also ranks from a history (fold-in) and
/// answers SimilarItems.
/// </summary>
public sealed class ImplicitServingKind : IServingKind
{
    public ServedKind Kind => ServedKind.Implicit;

    public int RankingPreference => 10;

    public bool IsIn(ModelVersionBundle bundle) => bundle.ModelPath(ModelEntry.ImplicitKind) is not null;

    public ServedKindModel Load(ModelVersionBundle bundle, ServingKindContext context)
    {
        var path = bundle.ModelPath(ModelEntry.ImplicitKind) ?? throw new InvalidDataException($"Version {bundle.Version} of '{bundle.ModelName}' has no implicit model.");
        var model = ImplicitFactorFile.Load(path);
        if (model.UserCount != bundle.Users.Count || model.ItemCount != bundle.Items.Count)
        {
            throw new ArtifactFormatException(path,
                $"the implicit factors cover {model.UserCount} users x {model.ItemCount} items; the id maps have {bundle.Users.Count} x {bundle.Items.Count}");
        }

        var dot = new MfSimdScorer(new MfModel(model.UserCount, model.ItemCount, model.Factors, model.UserFactors, model.ItemFactors, biases: null));
        PairSmokeTest.Run(dot, bundle, path);
        var history = new ImplicitHistoryRanker(new ImplicitFoldIn(model));
        var similarity = new ItemFactorSimilarity(model.ItemFactors, model.ItemCount, model.Factors);
        var (ranker, graph) = MfServingKind.ChooseRanker(dot, bundle.ModelPath(ModelEntry.ImplicitTopKOnnxKind), bundle.Items.Count, context);
        return new ServedKindModel(Kind, ratings: null, ranker, scoresAreRatings: false, graph?.ExecutionProvider, MfServingKind.RankerResources(ranker))
        {
            History = history,
            Similarity = similarity,
        };
    }
}
