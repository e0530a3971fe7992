using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// The MF kind: pairs by SIMD dot products over the factor file; Recommend by concurrent calls
/// scored together on a large catalog, else whichever of managed SIMD and the ONNX top-k graph
/// measured faster on this provider at load, or the one configured (<see cref="ChooseRanker"/>).
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
        var similarity = new ItemFactorSimilarity(model.ItemFactors, model.ItemCount, model.Factors);
        var (ranker, graph) = ChooseRanker(simd, bundle.ModelPath(ModelEntry.MfTopKOnnxKind), bundle.Items.Count, context);
        return new ServedKindModel(Kind, simd, ranker, scoresAreRatings: true, graph?.ExecutionProvider, RankerResources(ranker)) { Similarity = similarity };
    }

    /// <summary>What the kind must dispose of its ranker: the top-k graph's session, or the shared scan's threads.</summary>
    internal static IReadOnlyList<object> RankerResources(IRanker ranker) => ranker is IDisposable disposable ? [disposable] : [];

    /// <summary>
    /// The Recommend ranker of a kind whose scores are dot products over a factor file (MF,
    /// implicit), per <see cref="InferenceOptions.MfScorer"/>: forced, or (Auto) calls scored together
    /// when the item factors are large enough to be memory-bound, else the faster of SIMD and the
    /// top-k graph (<paramref name="graphPath"/>, when the version has one) measured here. Graph is
    /// the ONNX ranker when that is the one chosen (the kind disposes it).
    /// </summary>
    internal static (IRanker Ranker, MfOnnxTopKRanker? Graph) ChooseRanker(MfSimdScorer simd, string? graphPath, int itemCount, ServingKindContext context)
    {
        var model = simd.Model;
        var options = context.Options;
        var batching = options.TopNBatching;
        var simdRanker = new WholeCatalogRanker(MfScorerChoice.Simd, model.ItemCount, simd.ScoreAllItems);
        switch (options.MfScorer)
        {
            case MfScorerPreference.Simd:
                return (simdRanker, null);
            case MfScorerPreference.Half:
                return (new HalfFactorRanker(simd), null);
            case MfScorerPreference.Batched:
                return (new BatchedTopNRanker(model, batching), null);
            case MfScorerPreference.Auto when batching.Enabled && (long)model.ItemFactors.Length * sizeof(float) >= batching.FromFactorBytes:
                // No load-time measurement: one call alone scores as fast as SIMD, and the gain is under concurrency.
                return (new BatchedTopNRanker(model, batching), null);
            default:
                var graph = TopKGraphIfFaster(simd, graphPath, itemCount, context);
                return graph is null ? (simdRanker, null) : (graph, graph);
        }
    }

    /// <summary>
    /// The top-k graph's ranker when the version has one (<paramref name="graphPath"/>) and it beats
    /// managed SIMD here (or is forced by configuration); else null. Shared with every kind whose
    /// scores are dot products over a factor file.
    /// </summary>
    private static MfOnnxTopKRanker? TopKGraphIfFaster(MfSimdScorer simd, string? graphPath, int itemCount, ServingKindContext context)
    {
        var preference = context.Options.MfScorer;
        if (preference is not (MfScorerPreference.Auto or MfScorerPreference.Onnx) || graphPath is not { } path)
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
