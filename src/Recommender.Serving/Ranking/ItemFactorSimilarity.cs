using System.Buffers;
using System.Numerics.Tensors;
using Recommender.Data;

namespace Recommender.Serving;

/// <summary>
/// Cosine similarity over a model's item factor rows: the rows' inverse norms are computed once at
/// load and the rows themselves are the model's (shared, not copied: a normalised copy was as
/// large as the item factors, 16 MB at 62 k items and k = 64), so a query is one pass of dot
/// products over the catalog, scaled, and a partial selection. An item whose factors are all
/// zero is similar to nothing (similarity 0).
/// </summary>
public sealed class ItemFactorSimilarity : IItemSimilarity
{
    private readonly float[] _rows;
    private readonly float[] _inverseNorms;
    private readonly int _factors;

    /// <param name="itemFactors">Row-major item × factor matrix; kept, so it must not change.</param>
    public ItemFactorSimilarity(float[] itemFactors, int itemCount, int factors)
    {
        ArgumentNullException.ThrowIfNull(itemFactors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factors);
        if (itemFactors.Length != itemCount * factors)
        {
            throw new ArgumentException($"Expected {itemCount} x {factors} factors, got {itemFactors.Length} values.", nameof(itemFactors));
        }

        _factors = factors;
        ItemCount = itemCount;
        _rows = itemFactors;
        _inverseNorms = new float[itemCount];
        for (var item = 0; item < itemCount; item++)
        {
            var norm = TensorPrimitives.Norm(itemFactors.AsSpan(item * factors, factors));
            _inverseNorms[item] = norm > 0 ? 1f / norm : 0f;
        }
    }

    public int ItemCount { get; }

    public int Similar(int item, ReadOnlySpan<bool> excluded, Span<int> items, Span<float> scores)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(item);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(item, ItemCount);
        var similarity = ArrayPool<float>.Shared.Rent(ItemCount);
        var skip = ArrayPool<bool>.Shared.Rent(ItemCount);
        var best = ArrayPool<int>.Shared.Rent(items.Length);
        try
        {
            var query = _rows.AsSpan(item * _factors, _factors);
            var queryScale = _inverseNorms[item];
            for (var other = 0; other < ItemCount; other++)
            {
                similarity[other] = TensorPrimitives.Dot(query, _rows.AsSpan(other * _factors, _factors)) * queryScale * _inverseNorms[other];
            }

            excluded.CopyTo(skip);
            skip[item] = true;
            var n = TopN.Select(similarity.AsSpan(0, ItemCount), Math.Min(items.Length, ItemCount), best, skip.AsSpan(0, ItemCount));
            for (var i = 0; i < n; i++)
            {
                items[i] = best[i];
                scores[i] = similarity[best[i]];
            }

            return n;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(best);
            ArrayPool<bool>.Shared.Return(skip);
            ArrayPool<float>.Shared.Return(similarity);
        }
    }
}
