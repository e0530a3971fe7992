using System.Buffers;
using Recommender.Data;
using Recommender.Models.Implicit;

namespace Recommender.Serving;

/// <summary>
/// Ranks from a history with the implicit model: folds the history into a user vector (the same
/// weighted least-squares solve as training's user step, against the fixed item factors), then
/// scores the catalog with it.
/// </summary>
public sealed class ImplicitHistoryRanker(ImplicitFoldIn foldIn) : IHistoryRanker
{
    public int Rank(ReadOnlySpan<int> history, ReadOnlySpan<float> ratings, ReadOnlySpan<bool> excluded, int excludedCount, Span<int> items, Span<float> scores)
    {
        var model = foldIn.Model;
        var user = ArrayPool<float>.Shared.Rent(model.Factors);
        var all = ArrayPool<float>.Shared.Rent(model.ItemCount);
        var best = ArrayPool<int>.Shared.Rent(items.Length);
        try
        {
            var vector = user.AsSpan(0, model.Factors);
            foldIn.FoldIn(history, ratings, vector);
            var catalog = all.AsSpan(0, model.ItemCount);
            ImplicitScoring.ScoreCatalog(model, vector, catalog);
            var n = TopN.Select(catalog, Math.Min(items.Length, model.ItemCount), best, excluded);
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
            ArrayPool<float>.Shared.Return(user);
        }
    }
}
