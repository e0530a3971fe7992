using System.Buffers;
using System.Numerics.Tensors;
using Recommender.Data;

namespace Recommender.Serving;

/// <summary>
/// Cosine similarity over a model's item factor rows: the rows are normalised once at load, so a
/// query is one pass of dot products over the catalog and a partial selection. An item whose
/// factors are all zero is similar to nothing (similarity 0).
/// </summary>
public sealed class ItemFactorSimilarity : IItemSimilarity
{
    private readonly float[] _unit;
    private readonly int _factors;

    /// <param name="itemFactors">Row-major item × factor matrix.</param>
    public ItemFactorSimilarity(ReadOnlySpan<float> itemFactors, int itemCount, int factors)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factors);
        if (itemFactors.Length != itemCount * factors)
        {
            throw new ArgumentException($"Expected {itemCount} x {factors} factors, got {itemFactors.Length} values.", nameof(itemFactors));
        }

        _factors = factors;
        ItemCount = itemCount;
        _unit = itemFactors.ToArray();
        for (var item = 0; item < itemCount; item++)
        {
            var row = _unit.AsSpan(item * factors, factors);
            var norm = TensorPrimitives.Norm(row);
            if (norm > 0)
            {
                TensorPrimitives.Divide(row, norm, row);
            }
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
            var query = _unit.AsSpan(item * _factors, _factors);
            for (var other = 0; other < ItemCount; other++)
            {
                similarity[other] = TensorPrimitives.Dot(query, _unit.AsSpan(other * _factors, _factors));
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
