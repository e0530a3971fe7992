namespace Recommender.Data;

/// <summary>
/// Held-out top-k metrics with binary relevance. Per-user functions take a ranked list (best
/// first) and the user's relevant set; <see cref="Evaluate"/> averages them. Definitions (the
/// common ones, e.g. as in RecSys literature and libraries such as RecBole):
/// precision@k = hits in top k / k; recall@k = hits / |relevant|;
/// NDCG@k = DCG / ideal DCG with DCG = Σ 1/log2(rank + 1) over hits at 1-based ranks;
/// AP@k = Σ precision@rank over hits / min(k, |relevant|).
/// </summary>
public static class RankingMetrics
{
    /// <summary>MovieLens convention: 4 stars or more counts as "liked".</summary>
    public const float DefaultRelevanceThreshold = 4f;

    public static double PrecisionAtK(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        CheckArguments(relevant, k);
        return (double)Hits(ranked, relevant, k) / k;
    }

    public static double RecallAtK(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        CheckArguments(relevant, k);
        return relevant.Count == 0 ? 0 : (double)Hits(ranked, relevant, k) / relevant.Count;
    }

    public static double NdcgAtK(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        CheckArguments(relevant, k);
        double dcg = 0;
        var top = ranked[..Math.Min(k, ranked.Length)];
        for (var i = 0; i < top.Length; i++)
        {
            if (relevant.Contains(top[i]))
            {
                dcg += 1 / Math.Log2(i + 2);
            }
        }

        double ideal = 0;
        for (var i = 0; i < Math.Min(k, relevant.Count); i++)
        {
            ideal += 1 / Math.Log2(i + 2);
        }

        return ideal == 0 ? 0 : dcg / ideal;
    }

    public static double AveragePrecisionAtK(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        CheckArguments(relevant, k);
        var top = ranked[..Math.Min(k, ranked.Length)];
        double sum = 0;
        var hits = 0;
        for (var i = 0; i < top.Length; i++)
        {
            if (relevant.Contains(top[i]))
            {
                hits++;
                sum += (double)hits / (i + 1);
            }
        }

        var denominator = Math.Min(k, relevant.Count);
        return denominator == 0 ? 0 : sum / denominator;
    }

    /// <summary>Distinct items in the top k of all lists over the catalog size.</summary>
    public static double CatalogCoverage(IEnumerable<IReadOnlyList<int>> rankedLists, int k, int catalogSize)
    {
        ArgumentNullException.ThrowIfNull(rankedLists);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(catalogSize);
        var seen = new HashSet<int>();
        foreach (var list in rankedLists)
        {
            for (var i = 0; i < Math.Min(k, list.Count); i++)
            {
                seen.Add(list[i]);
            }
        }

        return (double)seen.Count / catalogSize;
    }

    /// <summary>Per-user relevant sets from held-out ratings: items rated at least <paramref name="threshold"/>.</summary>
    public static Dictionary<int, HashSet<int>> RelevantSets(RatingTable heldOut, float threshold = DefaultRelevanceThreshold)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        var sets = new Dictionary<int, HashSet<int>>();
        for (var r = 0; r < heldOut.Count; r++)
        {
            if (heldOut.Values[r] >= threshold)
            {
                if (!sets.TryGetValue(heldOut.UserIds[r], out var set))
                {
                    sets[heldOut.UserIds[r]] = set = [];
                }

                set.Add(heldOut.ItemIds[r]);
            }
        }

        return sets;
    }

    /// <summary>
    /// Averages the per-user metrics over users with a non-empty relevant set; a user with relevant
    /// items but no list scores zero (a missing recommendation is a miss, not a skip).
    /// </summary>
    public static RankingReport Evaluate(
        IReadOnlyDictionary<int, IReadOnlyList<int>> recommendations,
        IReadOnlyDictionary<int, HashSet<int>> relevant,
        int k,
        int catalogSize)
    {
        ArgumentNullException.ThrowIfNull(recommendations);
        ArgumentNullException.ThrowIfNull(relevant);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        double precision = 0, recall = 0, ndcg = 0, map = 0;
        var users = 0;
        foreach (var (user, set) in relevant)
        {
            if (set.Count == 0)
            {
                continue;
            }

            var list = recommendations.TryGetValue(user, out var l) ? l.ToArray() : [];
            precision += PrecisionAtK(list, set, k);
            recall += RecallAtK(list, set, k);
            ndcg += NdcgAtK(list, set, k);
            map += AveragePrecisionAtK(list, set, k);
            users++;
        }

        var coverage = CatalogCoverage(recommendations.Values, k, catalogSize);
        return users == 0
            ? new RankingReport(k, 0, double.NaN, double.NaN, double.NaN, double.NaN, coverage)
            : new RankingReport(k, users, precision / users, recall / users, ndcg / users, map / users, coverage);
    }

    private static int Hits(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        var hits = 0;
        foreach (var item in ranked[..Math.Min(k, ranked.Length)])
        {
            hits += relevant.Contains(item) ? 1 : 0;
        }

        return hits;
    }

    private static void CheckArguments(IReadOnlySet<int> relevant, int k)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
    }
}
