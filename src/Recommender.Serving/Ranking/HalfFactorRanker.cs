using System.Buffers;
using System.Numerics.Tensors;
using Recommender.Data;

namespace Recommender.Serving;

/// <summary>
/// Ranks a dot-product model from item factors stored as fp16: whole-catalog scoring of a large
/// catalog is memory-bound (62 k items × k = 200 floats is 50 MB streamed per call), and half the
/// bytes is half the traffic. The fp16 scores pick <see cref="CandidateFactor"/>× N candidates,
/// which are re-scored with the float factors, so the returned scores are exact and the list
/// differs from the float ranker's only where fp16 rounding moved an item across 4N places.
/// Chosen at load against the float SIMD ranker by measurement (<see cref="MfScorerChoice"/>).
/// </summary>
public sealed class HalfFactorRanker : IRanker
{
    public const string HalfMethod = "simd-fp16";

    /// <summary>Candidates re-scored in float per result: wide enough that fp16 rounding does not change the list.</summary>
    public const int CandidateFactor = 4;

    private readonly MfSimdScorer _exact;
    private readonly Half[] _items;

    public HalfFactorRanker(MfSimdScorer exact)
    {
        ArgumentNullException.ThrowIfNull(exact);
        _exact = exact;
        _items = new Half[exact.Model.ItemFactors.Length];
        TensorPrimitives.ConvertToHalf(exact.Model.ItemFactors, _items);
    }

    public string Method => HalfMethod;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int Rank(int user, ReadOnlySpan<bool> excluded, int excludedCount, Span<int> items, Span<float> scores)
    {
        var model = _exact.Model;
        var k = model.Factors;
        var count = model.ItemCount;
        var wanted = Math.Min(items.Length, count);
        var candidates = Math.Min(count, wanted * CandidateFactor);
        var all = ArrayPool<float>.Shared.Rent(count);
        var best = ArrayPool<int>.Shared.Rent(candidates);
        var rescored = ArrayPool<float>.Shared.Rent(candidates);
        var row = ArrayPool<float>.Shared.Rent(k);
        try
        {
            var userRow = model.UserRow(user);
            var itemRow = row.AsSpan(0, k);
            var catalog = all.AsSpan(0, count);
            var factors = _items.AsSpan();
            for (var item = 0; item < count; item++)
            {
                TensorPrimitives.ConvertToSingle(factors.Slice(item * k, k), itemRow);
                catalog[item] = TensorPrimitives.Dot(userRow, itemRow);
            }

            if (model.Biases is { } b)
            {
                // The user's bias and the mean do not change the order; item biases do.
                TensorPrimitives.Add(catalog, b.Item, catalog);
            }

            var found = TopN.Select(catalog, candidates, best, excluded);
            var keys = rescored.AsSpan(0, found);
            var chosen = best.AsSpan(0, found);
            for (var i = 0; i < found; i++)
            {
                // Negated exact score: an ascending sort puts the best first.
                keys[i] = -model.RawScore(user, chosen[i]);
            }

            keys.Sort(chosen);
            var n = Math.Min(wanted, found);
            for (var i = 0; i < n; i++)
            {
                items[i] = chosen[i];
                scores[i] = -keys[i];
            }

            return n;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(row);
            ArrayPool<float>.Shared.Return(rescored);
            ArrayPool<int>.Shared.Return(best);
            ArrayPool<float>.Shared.Return(all);
        }
    }
}
