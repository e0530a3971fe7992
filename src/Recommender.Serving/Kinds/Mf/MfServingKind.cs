using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// The MF kind: pairs by SIMD dot products over the factor file; Recommend by whichever of two
/// rankers measured faster on this provider at load (managed SIMD or the ONNX top-k graph), or the
/// one configured.
/// </summary>
public sealed class MfServingKind : IServingKind
{
    public ServedKind Kind => ServedKind.Mf;

    public int RankingPreference => 0;

    public bool IsIn(ModelVersionBundle bundle) => bundle.Mf is not null;

    public ServedKindModel Load(ModelVersionBundle bundle, ServingKindContext context)
    {
        var model = bundle.Mf ?? throw new InvalidDataException($"Version {bundle.Version} of '{bundle.ModelName}' has no MF model.");
        var simd = new MfSimdScorer(model);
        PairSmokeTest.Run(simd, bundle, bundle.PathOf(ArtifactFileNames.MfFactors));
        var simdRanker = context.Options.MfScorer == MfScorerPreference.Auto
            ? MfScorerChoice.SimdOrCompact(simd)
            : new WholeCatalogRanker(MfScorerChoice.Simd, model.ItemCount, simd.ScoreAllItems);
        var similarity = new ItemFactorSimilarity(model.ItemFactors, model.ItemCount, model.Factors);
        var graph = TopKGraphIfFaster(simd, bundle.ModelPath(ModelEntry.MfTopKOnnxKind), bundle.Items.Count, context);
        return graph is null
            ? new ServedKindModel(Kind, simd, simdRanker, scoresAreRatings: true, executionProvider: null, []) { Similarity = similarity }
            : new ServedKindModel(Kind, simd, graph, scoresAreRatings: true, graph.ExecutionProvider, [graph]) { Similarity = similarity };
    }

    /// <summary>
    /// The top-k graph's ranker when the version has one (<paramref name="graphPath"/>) and it beats
    /// managed SIMD here (or is forced by configuration); else null. Shared with every kind whose
    /// scores are dot products over a factor file.
    /// </summary>
    internal static MfOnnxTopKRanker? TopKGraphIfFaster(MfSimdScorer simd, string? graphPath, int itemCount, ServingKindContext context)
    {
        var preference = context.Options.MfScorer;
        if (preference == MfScorerPreference.Simd || graphPath is not { } path)
        {
            return null;
        }

        var ranker = new MfOnnxTopKRanker(new MfOnnxTopK(context.Sessions.Open(path), itemCount));
        try
        {
            if (preference == MfScorerPreference.Onnx || MfScorerChoice.Measure(simd, ranker) == MfScorerChoice.Onnx)
            {
                return ranker;
            }
        }
        catch
        {
            ranker.Dispose();
            throw;
        }

        ranker.Dispose();
        return null;
    }
}
