using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Recommender.Models.Implicit;
using Recommender.Models.Mf;

namespace Recommender.Serving;

/// <summary>
/// Top-N of several users at once over a dot-product model: the item factors are walked in
/// cache-sized slices, and every user of the block is scored against a slice while it is in cache,
/// each keeping its own bounded heap. A block of B users therefore streams the item factors from
/// memory once instead of B times, which is what whole-catalog scoring of a large catalog is
/// bound by. Four users share each item-vector load (register blocking). The loops are compiled
/// fully optimized at once (AggressiveOptimization): under tiered compilation a served process ran
/// them as tier-0/OSR code for a long time, measured 3-4x slower per call.
/// </summary>
public static class BlockTopN
{
    /// <summary>Bytes of item factors per slice: well inside L2, so every user of the block re-reads it from cache.</summary>
    public const int SliceBytes = 192 * 1024;

    /// <summary>Items per slice of a model (at least 8).</summary>
    public static int SliceItems(MfModel model) => Math.Max(8, SliceBytes / (model.Factors * sizeof(float)));

    /// <summary>One user's part of a block: its row, its exclusions and where its best items go (best first).</summary>
    public unsafe struct Query
    {
        public int User;
        public bool* Excluded;
        public int ExcludedLength;
        public int* Items;
        public float* Scores;
        public int Wanted;
        public int Written;
    }

    /// <summary>
    /// Ranks every query of <paramref name="queries"/> over the whole catalog of <paramref name="model"/>
    /// (raw scores: dot + item bias + mean + user bias), skipping excluded items; ties go to the lower
    /// index, as <see cref="Recommender.Data.TopN"/> does. Sets each query's Written.
    /// </summary>
    public static void Rank(MfModel model, Span<Query> queries)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (ref var query in queries)
        {
            query.Written = 0;
        }

        RankRange(model, queries, 0, model.ItemCount);
        Finish(model, queries);
    }

    /// <summary>
    /// Offers items [<paramref name="from"/>, <paramref name="to"/>) to each query's heap (Written is the
    /// heap's size: zero for a fresh query). Unsorted, raw dot + item bias, until <see cref="Finish"/>.
    /// Two threads may range over disjoint parts with separate queries, then <see cref="Merge"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RankRange(MfModel model, Span<Query> queries, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(model);
        var k = model.Factors;
        var b = queries.Length;
        var itemBias = model.Biases?.Item;
        var sliceItems = SliceItems(model);
        var dots = new float[4 * sliceItems];
        fixed (float* userFactors = model.UserFactors)
        fixed (float* itemFactors = model.ItemFactors)
        fixed (float* dot = dots)
        fixed (Query* q = queries)
        {
            for (var start = from; start < to; start += sliceItems)
            {
                var end = Math.Min(to, start + sliceItems);
                var length = end - start;
                var u = 0;
                for (; u + 4 <= b; u += 4)
                {
                    Dot4(itemFactors + ((long)start * k), length, k,
                        userFactors + ((long)q[u].User * k), userFactors + ((long)q[u + 1].User * k),
                        userFactors + ((long)q[u + 2].User * k), userFactors + ((long)q[u + 3].User * k), dot, sliceItems);
                    for (var j = 0; j < 4; j++)
                    {
                        Offer(ref q[u + j], ref q[u + j].Written, dot + (j * sliceItems), start, length, itemBias);
                    }
                }

                for (; u < b; u++)
                {
                    Dot1(itemFactors + ((long)start * k), length, k, userFactors + ((long)q[u].User * k), dot);
                    Offer(ref q[u], ref q[u].Written, dot, start, length, itemBias);
                }
            }
        }
    }

    /// <summary>Offers every entry of <paramref name="from"/>'s heap to <paramref name="into"/>'s (same user, another part of the catalog).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Merge(ref Query into, in Query from)
    {
        for (var i = 0; i < from.Written; i++)
        {
            var item = from.Items[i];
            var score = from.Scores[i];
            if (into.Written < into.Wanted)
            {
                into.Items[into.Written] = item;
                into.Scores[into.Written] = score;
                SiftUp(into.Items, into.Scores, into.Written);
                into.Written++;
            }
            else if (into.Wanted > 0 && (score > into.Scores[0] || (score == into.Scores[0] && item < into.Items[0])))
            {
                into.Items[0] = item;
                into.Scores[0] = score;
                SiftDown(into.Items, into.Scores, 0, into.Written);
            }
        }
    }

    /// <summary>Sorts each query's heap best first and adds the constant part of the score (mean + user bias).</summary>
    public static void Finish(MfModel model, Span<Query> queries)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (ref var query in queries)
        {
            var offset = model.Biases is { } biases ? biases.GlobalMean + biases.User[query.User] : 0f;
            query.Written = Finish(ref query, query.Written, offset);
        }
    }

    /// <summary>Offers a slice's scores to one query's heap (a min-heap on rank; the root is the worst kept).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Offer(ref Query query, ref int count, float* dot, int start, int length, float[]? itemBias)
    {
        var wanted = query.Wanted;
        if (wanted == 0)
        {
            return;
        }

        var items = query.Items;
        var scores = query.Scores;
        var excluded = query.Excluded;
        var excludedLength = query.ExcludedLength;
        var threshold = count == wanted ? scores[0] : float.NegativeInfinity;
        for (var i = 0; i < length; i++)
        {
            var item = start + i;
            var score = dot[i] + (itemBias is null ? 0f : itemBias[item]);
            // Items arrive in ascending order: an equal score never displaces a kept (lower) index.
            if (score <= threshold && count == wanted)
            {
                continue;
            }

            if (float.IsNaN(score) || (item < excludedLength && excluded[item]))
            {
                continue;
            }

            if (count < wanted)
            {
                items[count] = item;
                scores[count] = score;
                SiftUp(items, scores, count);
                count++;
                if (count == wanted)
                {
                    threshold = scores[0];
                }
            }
            else
            {
                items[0] = item;
                scores[0] = score;
                SiftDown(items, scores, 0, count);
                threshold = scores[0];
            }
        }
    }

    /// <summary>Heap-sorts the kept entries best first and adds the constant part of the score; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Finish(ref Query query, int count, float offset)
    {
        var items = query.Items;
        var scores = query.Scores;
        for (var end = count - 1; end > 0; end--)
        {
            (items[0], items[end]) = (items[end], items[0]);
            (scores[0], scores[end]) = (scores[end], scores[0]);
            SiftDown(items, scores, 0, end);
        }

        for (var i = 0; i < count; i++)
        {
            scores[i] += offset;
        }

        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe bool Better(int* items, float* scores, int a, int b) =>
        scores[a] > scores[b] || (scores[a] == scores[b] && items[a] < items[b]);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SiftUp(int* items, float* scores, int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Better(items, scores, parent, i))
            {
                break;
            }

            Swap(items, scores, parent, i);
            i = parent;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SiftDown(int* items, float* scores, int i, int count)
    {
        while (true)
        {
            var left = (2 * i) + 1;
            if (left >= count)
            {
                return;
            }

            var worst = left;
            var right = left + 1;
            if (right < count && Better(items, scores, left, right))
            {
                worst = right;
            }

            if (!Better(items, scores, i, worst))
            {
                return;
            }

            Swap(items, scores, i, worst);
            i = worst;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Swap(int* items, float* scores, int a, int b)
    {
        (items[a], items[b]) = (items[b], items[a]);
        (scores[a], scores[b]) = (scores[b], scores[a]);
    }

    /// <summary>Dot products of four user rows with <paramref name="count"/> item rows; out[j * stride + i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Dot4(float* items, int count, int k, float* u0, float* u1, float* u2, float* u3, float* output, int stride)
    {
        var wideEnd = Vector512.IsHardwareAccelerated ? k - (k % Vector512<float>.Count) : 0;
        var vectorEnd = k - (k % Vector256<float>.Count);
        for (var i = 0; i < count; i++)
        {
            var row = items + ((long)i * k);
            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            var a2 = Vector256<float>.Zero;
            var a3 = Vector256<float>.Zero;
            var f = 0;
            if (wideEnd > 0)
            {
                // AVX-512: half the instructions per item; the 256-bit loop below takes what is left.
                var w0 = Vector512<float>.Zero;
                var w1 = Vector512<float>.Zero;
                var w2 = Vector512<float>.Zero;
                var w3 = Vector512<float>.Zero;
                for (; f < wideEnd; f += Vector512<float>.Count)
                {
                    var v = Vector512.Load(row + f);
                    w0 = Vector512.FusedMultiplyAdd(v, Vector512.Load(u0 + f), w0);
                    w1 = Vector512.FusedMultiplyAdd(v, Vector512.Load(u1 + f), w1);
                    w2 = Vector512.FusedMultiplyAdd(v, Vector512.Load(u2 + f), w2);
                    w3 = Vector512.FusedMultiplyAdd(v, Vector512.Load(u3 + f), w3);
                }

                a0 = w0.GetLower() + w0.GetUpper();
                a1 = w1.GetLower() + w1.GetUpper();
                a2 = w2.GetLower() + w2.GetUpper();
                a3 = w3.GetLower() + w3.GetUpper();
            }

            for (; f < vectorEnd; f += Vector256<float>.Count)
            {
                var v = Vector256.Load(row + f);
                a0 = Vector256.FusedMultiplyAdd(v, Vector256.Load(u0 + f), a0);
                a1 = Vector256.FusedMultiplyAdd(v, Vector256.Load(u1 + f), a1);
                a2 = Vector256.FusedMultiplyAdd(v, Vector256.Load(u2 + f), a2);
                a3 = Vector256.FusedMultiplyAdd(v, Vector256.Load(u3 + f), a3);
            }

            float s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3);
            for (; f < k; f++)
            {
                s0 += row[f] * u0[f];
                s1 += row[f] * u1[f];
                s2 += row[f] * u2[f];
                s3 += row[f] * u3[f];
            }

            output[i] = s0;
            output[stride + i] = s1;
            output[(2 * stride) + i] = s2;
            output[(3 * stride) + i] = s3;
        }
    }

    /// <summary>Dot products of one user row with <paramref name="count"/> item rows (the models' shared SIMD dot product).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Dot1(float* items, int count, int k, float* user, float* output)
    {
        var userRow = new ReadOnlySpan<float>(user, k);
        for (var i = 0; i < count; i++)
        {
            output[i] = VectorOps.Dot(new ReadOnlySpan<float>(items + ((long)i * k), k), userRow);
        }
    }
}
