using System.Buffers;
using Recommender.Data;

namespace Recommender.Serving;

/// <summary>
/// Ranks by scoring every catalog item for the user, then a partial selection that skips the
/// excluded ones: the shape of every ranker that has a "score the whole catalog" operation
/// (SIMD dot products, a neural ranking graph, a pair graph run over the catalog).
/// </summary>
public sealed class WholeCatalogRanker(string method, int itemCount, WholeCatalogRanker.ScoreAll scoreAll) : IRanker
{
    /// <summary>Writes the raw score of every item (length = item count) for one user.</summary>
    public delegate void ScoreAll(int user, Span<float> scores);

    public string Method { get; } = method;

    public int ItemCount { get; } = itemCount;

    public int Rank(int user, ReadOnlySpan<bool> excluded, int excludedCount, Span<int> items, Span<float> scores)
    {
        var all = ArrayPool<float>.Shared.Rent(ItemCount);
        var best = ArrayPool<int>.Shared.Rent(items.Length);
        try
        {
            var catalog = all.AsSpan(0, ItemCount);
            scoreAll(user, catalog);
            var n = TopN.Select(catalog, Math.Min(items.Length, ItemCount), best, excluded);
            for (var i = 0; i < n; i++)
            {
                items[i] = best[i];
                scores[i] = catalog[best[i]];
            }

            return n;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(best);
            ArrayPool<float>.Shared.Return(all);
        }
    }
}
