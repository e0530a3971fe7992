using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Recommender.Models.Implicit;
using Recommender.Models.Mf;

namespace Recommender.Serving;

/// <summary>
/// Top-N of several users at once over a dot-product model's <see cref="ItemPanels"/>: the panels
/// are walked in cache-sized slices, and every user of the block is scored against a slice while
/// it is in cache, each keeping its own bounded heap. A block of B users therefore streams the item
/// factors from memory once instead of B times. Four users share each panel load (eight vector
/// accumulators: two FMA pipes times the FMA latency); a user left over scores four panels at a
/// time. Each panel's 16 scores are compared with the user's threshold as vectors, so only
/// the rare item that beats it reaches the user's candidate buffer. The buffer holds twice the
/// candidates kept; when it fills, a quickselect keeps the best half and raises the threshold to the
/// worst kept (or, for large buffers, drops what lies below a sampled threshold in one pass; see
/// <see cref="Shrink"/>): amortized O(1) an accepted item where a bounded heap pays a log-depth sift
/// (measured: with the 500 candidates of a two-stage retrieval the heap's sifts were 15 % of the
/// service's CPU).
/// With compact (bfloat16) panels each user keeps
/// <see cref="CapacityFor"/> candidates, which are re-scored from the float factors: the list is
/// the float ranking's whenever the N-th re-scored candidate beats every dropped item's error
/// bound, and is computed exactly otherwise (<see cref="Finish"/>). The loops are compiled fully
/// optimized at once (AggressiveOptimization): tier-0 code had measured 3-4x slower per call.
/// </summary>
public static class BlockTopN
{
    /// <summary>Bytes of panels per slice: well inside L2, so every user of the block re-reads it from cache.</summary>
    public const int SliceBytes = 192 * 1024;

    /// <summary>Panels per slice (a multiple of four, the leftover user's step).</summary>
    public static int SlicePanels(ItemPanels panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        return Math.Max(4, SliceBytes / (panels.Model.Factors * panels.BytesPerFactor) / 4 * 4);
    }

    /// <summary>
    /// Candidates a query's heap keeps for <paramref name="wanted"/> results: N with float panels or
    /// for an approximate query; with compact ones twice N plus 32, so that the exactness check (see
    /// <see cref="Finish"/>) passes for nearly every user and the float re-score stays a few hundred
    /// dot products.
    /// </summary>
    public static int CapacityFor(ItemPanels panels, int wanted, bool approximate = false)
    {
        ArgumentNullException.ThrowIfNull(panels);
        return panels.IsExact || approximate || wanted == 0 ? wanted : (2 * wanted) + 32;
    }

    /// <summary>Entries a query's candidate buffer (<c>Heap</c>, <c>HeapScores</c>) must hold for <paramref name="capacity"/> candidates.</summary>
    public static int BufferLength(int capacity) => 2 * capacity;

    /// <summary>
    /// One user's part of a block: its row, its exclusions, its candidate buffer (<c>Heap</c> and
    /// <c>HeapScores</c>, <see cref="BufferLength"/> entries, <c>Kept</c> in use, unordered; at most
    /// <c>Capacity</c> of them survive) and where its best items go, best first. <c>Dropped</c>: some
    /// candidate was discarded, and <c>Floor</c> is at least the score of every discarded one (and
    /// at most the Capacity-th best score seen): nothing below it can enter.
    /// <c>Approximate</c>: the panels' own scores are the answer, with no float re-score (a
    /// first-stage retrieval, whose candidates another model re-ranks anyway).
    /// </summary>
    public unsafe struct Query
    {
        public int User;
        public bool* Excluded;
        public int ExcludedLength;
        public int* Items;
        public float* Scores;
        public int Wanted;
        public int Written;
        public int* Heap;
        public float* HeapScores;
        public int Capacity;
        public int Kept;
        public float Floor;
        public bool Dropped;
        public bool Approximate;
    }

    /// <summary>
    /// Ranks every query over the whole catalog (raw scores: dot + item bias + mean + user bias),
    /// skipping excluded items; ties go to the lower index, as <see cref="Recommender.Data.TopN"/>
    /// does. Sets each query's Written; returns how many queries needed the exact fallback.
    /// </summary>
    public static int Rank(ItemPanels panels, Span<Query> queries)
    {
        ArgumentNullException.ThrowIfNull(panels);
        foreach (ref var query in queries)
        {
            query.Kept = 0;
            query.Dropped = false;
        }

        RankRange(panels, queries, 0, panels.PanelCount);
        return Finish(panels, queries);
    }

    /// <summary>
    /// Offers the items of panels [<paramref name="from"/>, <paramref name="to"/>) to each query's
    /// candidate buffer (a fresh query has Kept 0 and Dropped false). Unsorted scores of the panels until
    /// <see cref="Finish"/>. Two threads may range over disjoint parts with separate buffers, then <see cref="Merge"/>.
    /// </summary>
    public static void RankRange(ItemPanels panels, Span<Query> queries, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Precision == PanelPrecision.Float32)
        {
            RankRange<Float32Panel>(panels, queries, from, to);
        }
        else
        {
            RankRange<BFloat16Panel>(panels, queries, from, to);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RankRange<TPanel>(ItemPanels panels, Span<Query> queries, int from, int to)
        where TPanel : struct, IPanelLoad
    {
        var model = panels.Model;
        var k = model.Factors;
        var b = queries.Length;
        var itemCount = model.ItemCount;
        var slice = SlicePanels(panels);
        var panelBytes = (long)k * TPanel.BytesPerFactor;
        var output = stackalloc float[4 * ItemPanels.Width];
        var thresholds = stackalloc float[4];
        fixed (float* userFactors = model.UserFactors)
        fixed (byte* data = panels.Data)
        fixed (float* biases = panels.Biases)
        fixed (Query* q = queries)
        {
            for (var start = from; start < to; start += slice)
            {
                var end = Math.Min(to, start + slice);
                var u = 0;
                // Groups of four; three left take the four-user kernel with the third user twice and
                // the fourth lane never offered (a wasted quarter still beats three one-user passes,
                // which reload every panel).
                for (var users = Math.Min(4, b); users >= 3; u += users, users = Math.Min(4, b - u))
                {
                    var u0 = userFactors + ((long)q[u].User * k);
                    var u1 = userFactors + ((long)q[u + 1].User * k);
                    var u2 = userFactors + ((long)q[u + 2].User * k);
                    var u3 = users == 4 ? userFactors + ((long)q[u + 3].User * k) : u2;
                    thresholds[3] = float.PositiveInfinity;
                    for (var p = start; p < end; p++)
                    {
                        for (var j = 0; j < users; j++)
                        {
                            thresholds[j] = Threshold(in q[u + j]);
                        }

                        var bits = Score4<TPanel>(data + (p * panelBytes), k, u0, u1, u2, u3, biases + (p * ItemPanels.Width), thresholds, output);
                        for (var j = 0; bits != 0; j++, bits >>= ItemPanels.Width)
                        {
                            Offer(ref q[u + j], output + (j * ItemPanels.Width), p * ItemPanels.Width, (uint)bits & 0xFFFF, itemCount);
                        }
                    }
                }

                if (b - u == 2)
                {
                    var u0 = userFactors + ((long)q[u].User * k);
                    var u1 = userFactors + ((long)q[u + 1].User * k);
                    var p = start;
                    for (; p + 2 <= end; p += 2)
                    {
                        var bits = Score2x2<TPanel>(data + (p * panelBytes), panelBytes, k, u0, u1, biases + (p * ItemPanels.Width), Threshold(in q[u]), Threshold(in q[u + 1]), output);
                        // Bits: user 0 panel 0, user 0 panel 1, user 1 panel 0, user 1 panel 1.
                        for (var j = 0; bits != 0; j++, bits >>= ItemPanels.Width)
                        {
                            Offer(ref q[u + (j >> 1)], output + (j * ItemPanels.Width), (p + (j & 1)) * ItemPanels.Width, (uint)bits & 0xFFFF, itemCount);
                        }
                    }

                    for (; p < end; p++)
                    {
                        for (var j = 0; j < 2; j++)
                        {
                            var bits = Score1<TPanel>(data + (p * panelBytes), k, j == 0 ? u0 : u1, biases + (p * ItemPanels.Width), Threshold(in q[u + j]), output);
                            Offer(ref q[u + j], output, p * ItemPanels.Width, bits, itemCount);
                        }
                    }

                    u += 2;
                }

                for (; u < b; u++)
                {
                    var user = userFactors + ((long)q[u].User * k);
                    var p = start;
                    for (; p + 4 <= end; p += 4)
                    {
                        var bits = Score1x4<TPanel>(data + (p * panelBytes), panelBytes, k, user, biases + (p * ItemPanels.Width), Threshold(in q[u]), output);
                        for (var j = 0; bits != 0; j++, bits >>= ItemPanels.Width)
                        {
                            Offer(ref q[u], output + (j * ItemPanels.Width), (p + j) * ItemPanels.Width, (uint)bits & 0xFFFF, itemCount);
                        }
                    }

                    for (; p < end; p++)
                    {
                        var bits = Score1<TPanel>(data + (p * panelBytes), k, user, biases + (p * ItemPanels.Width), Threshold(in q[u]), output);
                        Offer(ref q[u], output, p * ItemPanels.Width, bits, itemCount);
                    }
                }
            }
        }
    }

    /// <summary>The score an item must beat to be offered: anything until the buffer first fills, nothing when it keeps no candidates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Threshold(in Query query) =>
        query.Capacity == 0 ? float.PositiveInfinity
        : query.Dropped ? query.Floor
        : float.NegativeInfinity;

    /// <summary>Offers the panel items whose bits are set (their scores beat the threshold when it was read) to one query's buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Offer(ref Query query, float* scores, int firstItem, uint bits, int itemCount)
    {
        var excluded = query.Excluded;
        var excludedLength = query.ExcludedLength;
        while (bits != 0)
        {
            var lane = BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            var item = firstItem + lane;
            if (item >= itemCount)
            {
                return; // padding: every later lane is padding too
            }

            if (item < excludedLength && excluded[item])
            {
                continue;
            }

            Keep(ref query, item, scores[lane]);
        }
    }

    /// <summary>Offers every candidate of <paramref name="from"/> to <paramref name="into"/> (same user, another part of the catalog).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Merge(ref Query into, in Query from)
    {
        if (from.Dropped)
        {
            // from keeps at least Capacity candidates at or above its floor, all offered here: an
            // item below that floor cannot be among the best Capacity of the two.
            into.Floor = into.Dropped ? Math.Max(into.Floor, from.Floor) : from.Floor;
            into.Dropped = true;
        }

        for (var i = 0; i < from.Kept; i++)
        {
            Keep(ref into, from.Heap[i], from.HeapScores[i]);
        }
    }

    /// <summary>
    /// Adds a candidate to the query's buffer unless it is below the floor; a full buffer keeps its
    /// best Capacity (quickselect) and raises the floor to the worst of them. Ties at the floor
    /// are kept: their order (the lower index first) is decided when the buffer is cut.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Keep(ref Query query, int item, float score)
    {
        if (query.Capacity == 0 || (query.Dropped && score < query.Floor))
        {
            return;
        }

        query.Heap[query.Kept] = item;
        query.HeapScores[query.Kept] = score;
        if (++query.Kept == BufferLength(query.Capacity))
        {
            if (query.Capacity < MinSampledCapacity || !Shrink(ref query))
            {
                Cut(ref query);
            }
        }
    }

    /// <summary>Capacities from which a full buffer is shrunk around a sampled threshold instead of cut exactly.</summary>
    private const int MinSampledCapacity = 64;

    /// <summary>
    /// Frees part of a full buffer without ordering it: the threshold is a quantile of 32 sampled
    /// scores (expected to keep about 5/8 of the entries), and the entries below it are dropped in
    /// one branch-free pass. False, with nothing changed, when it would keep fewer than Capacity
    /// or free less than an eighth (then the exact <see cref="Cut"/>). Measured on two-stage retrieval (C = 500):
    /// the exact cut's quickselect was 13 % of the service's CPU.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool Shrink(ref Query query)
    {
        const int Samples = 32;
        var count = query.Kept;
        var scores = query.HeapScores;
        var items = query.Heap;
        var sample = stackalloc float[Samples];
        for (var i = 0; i < Samples; i++)
        {
            sample[i] = scores[(long)i * count / Samples];
        }

        new Span<float>(sample, Samples).Sort();
        var threshold = sample[Samples * 3 / 8]; // ascending: about 5/8 of the entries lie at or above it
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            kept += scores[i] >= threshold ? 1 : 0;
        }

        if (kept < query.Capacity || kept > count - (count / 8))
        {
            return false; // too few kept, or too little freed to be worth it
        }

        var written = 0;
        for (var i = 0; i < count; i++)
        {
            var score = scores[i];
            items[written] = items[i];
            scores[written] = score;
            written += score >= threshold ? 1 : 0;
        }

        // Every dropped entry is below the threshold, and at least Capacity entries are at or above
        // it; as a kept score it is at or above the old floor.
        query.Kept = written;
        query.Floor = threshold;
        query.Dropped = true;
        return true;
    }

    /// <summary>Keeps the best Capacity of the buffer's candidates; the floor becomes the worst kept (never below the old floor: nothing below it entered).</summary>
    private static unsafe void Cut(ref Query query)
    {
        SelectBest(query.Heap, query.HeapScores, query.Kept, query.Capacity);
        query.Kept = query.Capacity;
        query.Floor = query.HeapScores[query.Capacity - 1];
        query.Dropped = true;
    }

    /// <summary>
    /// Quickselect (Hoare partition, median-of-three pivot): afterwards [0, keep) holds the best
    /// <paramref name="keep"/> entries, in no order but for the worst of them at keep - 1. Entries
    /// are distinct items, so "better" (higher score, then lower index) is a total order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SelectBest(int* items, float* scores, int count, int keep)
    {
        var lo = 0;
        var hi = count - 1;
        var k = keep - 1;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (Better(items, scores, mid, lo))
            {
                Swap(items, scores, mid, lo);
            }

            if (Better(items, scores, hi, lo))
            {
                Swap(items, scores, hi, lo);
            }

            if (Better(items, scores, hi, mid))
            {
                Swap(items, scores, hi, mid);
            }

            var pivotItem = items[mid];
            var pivotScore = scores[mid];
            var i = lo;
            var j = hi;
            while (i <= j)
            {
                while (scores[i] > pivotScore || (scores[i] == pivotScore && items[i] < pivotItem))
                {
                    i++;
                }

                while (pivotScore > scores[j] || (pivotScore == scores[j] && pivotItem < items[j]))
                {
                    j--;
                }

                if (i <= j)
                {
                    Swap(items, scores, i, j);
                    i++;
                    j--;
                }
            }

            // [lo, j] is better than or equal to the pivot, [i, hi] worse or equal, (j, i) the pivot.
            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>
    /// Turns each query's heap into its answer, best first, with the constant part of the score
    /// (mean + user bias) added. Float panels: the heap sorted. Compact panels: the candidates
    /// re-scored from the float factors and the best N kept; when the heap had to drop items, the
    /// N-th re-scored score must beat the best a dropped item could reach (its compact score plus
    /// the rounding bound, <see cref="ErrorBound"/>), or the user is ranked again exactly over the
    /// float factors. Returns how many queries took that fallback.
    /// </summary>
    public static unsafe int Finish(ItemPanels panels, Span<Query> queries)
    {
        ArgumentNullException.ThrowIfNull(panels);
        var model = panels.Model;
        var fallbacks = 0;
        foreach (ref var query in queries)
        {
            if (query.Kept > query.Capacity)
            {
                Cut(ref query);
            }

            if (panels.IsExact || query.Approximate)
            {
                for (var i = 0; i < query.Kept; i++)
                {
                    query.Items[i] = query.Heap[i];
                    query.Scores[i] = query.HeapScores[i];
                }

                query.Written = query.Kept;
                Heapify(query.Items, query.Scores, query.Written);
            }
            else if (!Rescore(panels, ref query))
            {
                ExactScan(model, ref query);
                fallbacks++;
            }

            SortBestFirst(query.Items, query.Scores, query.Written);
            var offset = model.Biases is { } biases ? biases.GlobalMean + biases.User[query.User] : 0f;
            for (var i = 0; i < query.Written; i++)
            {
                query.Scores[i] += offset;
            }
        }

        return fallbacks;
    }

    /// <summary>
    /// Largest difference between a user's score from compact panels and from the float factors:
    /// each item value moved by at most its relative rounding error, so the dot product moved by at
    /// most that times Σ|u_f||v_f| ≤ ‖u‖·‖v‖ ≤ ‖u‖·max‖v‖; plus the float summation error of either
    /// order (k + 2 roundings each) and of adding the bias.
    /// </summary>
    public static float ErrorBound(ItemPanels panels, int user)
    {
        ArgumentNullException.ThrowIfNull(panels);
        var row = panels.Model.UserRow(user);
        var userNorm = Math.Sqrt(VectorOps.Dot(row, row));
        var unit = Math.Pow(2, -22); // twice the float unit roundoff, both orders
        var relative = (panels.IsExact ? 0 : ItemPanels.BFloat16RelativeError) + ((panels.Model.Factors + 2) * unit);
        return (float)((relative * userNorm * panels.MaxItemNorm * 1.0001) + (unit * panels.MaxAbsBias) + 1e-30);
    }

    /// <summary>Re-scores the kept candidates in float into the answer; false when the result cannot be shown exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool Rescore(ItemPanels panels, ref Query query)
    {
        var model = panels.Model;
        var itemBias = model.Biases?.Item;
        var userRow = model.UserRow(query.User);
        var written = 0;
        for (var i = 0; i < query.Kept; i++)
        {
            var item = query.Heap[i];
            var score = VectorOps.Dot(userRow, model.ItemRow(item)) + (itemBias is null ? 0f : itemBias[item]);
            Push(query.Items, query.Scores, ref written, query.Wanted, item, score);
        }

        query.Written = written;
        if (!query.Dropped || written == 0)
        {
            return true; // nothing was dropped: every allowed item was re-scored
        }

        // No dropped item scored above the floor in bfloat16.
        var droppedBest = query.Floor + ErrorBound(panels, query.User);
        return query.Scores[0] > droppedBest; // Items/Scores is still a heap: its root is the N-th best
    }

    /// <summary>The float ranking of one user over the whole catalog (the compact re-score's fallback).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ExactScan(MfModel model, ref Query query)
    {
        var itemBias = model.Biases?.Item;
        var userRow = model.UserRow(query.User);
        var written = 0;
        for (var item = 0; item < model.ItemCount; item++)
        {
            if (item < query.ExcludedLength && query.Excluded[item])
            {
                continue;
            }

            var score = VectorOps.Dot(userRow, model.ItemRow(item)) + (itemBias is null ? 0f : itemBias[item]);
            if (!float.IsNaN(score))
            {
                Push(query.Items, query.Scores, ref written, query.Wanted, item, score);
            }
        }

        query.Written = written;
    }

    /// <summary>Offers one item to a bounded min-heap on rank (the root is the worst kept; ties: the higher index is worse).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Push(int* items, float* scores, ref int count, int capacity, int item, float score)
    {
        if (count < capacity)
        {
            items[count] = item;
            scores[count] = score;
            SiftUp(items, scores, count);
            count++;
        }
        else if (capacity > 0 && (score > scores[0] || (score == scores[0] && item < items[0])))
        {
            items[0] = item;
            scores[0] = score;
            SiftDown(items, scores, 0, count);
        }
    }

    /// <summary>Orders entries as a bounded heap (the root is the worst), bottom-up.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Heapify(int* items, float* scores, int count)
    {
        for (var i = (count / 2) - 1; i >= 0; i--)
        {
            SiftDown(items, scores, i, count);
        }
    }

    /// <summary>Heap-sorts a bounded heap best first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SortBestFirst(int* items, float* scores, int count)
    {
        for (var end = count - 1; end > 0; end--)
        {
            Swap(items, scores, 0, end);
            SiftDown(items, scores, 0, end);
        }
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

    /// <summary>
    /// Scores of four users on one panel (+ item bias) into output[16 j + lane]; returns, in 16 bits
    /// per user, which lanes beat that user's threshold (NaN never does).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe ulong Score4<TPanel>(byte* panel, int k, float* u0, float* u1, float* u2, float* u3, float* bias, float* thresholds, float* output)
        where TPanel : struct, IPanelLoad
    {
        Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
        for (var f = 0; f < k; f++)
        {
            TPanel.Load(panel + (f * TPanel.BytesPerFactor), out var low, out var high);
            var x = Vector256.Create(u0[f]);
            a0 = Vector256.FusedMultiplyAdd(low, x, a0);
            b0 = Vector256.FusedMultiplyAdd(high, x, b0);
            x = Vector256.Create(u1[f]);
            a1 = Vector256.FusedMultiplyAdd(low, x, a1);
            b1 = Vector256.FusedMultiplyAdd(high, x, b1);
            x = Vector256.Create(u2[f]);
            a2 = Vector256.FusedMultiplyAdd(low, x, a2);
            b2 = Vector256.FusedMultiplyAdd(high, x, b2);
            x = Vector256.Create(u3[f]);
            a3 = Vector256.FusedMultiplyAdd(low, x, a3);
            b3 = Vector256.FusedMultiplyAdd(high, x, b3);
        }

        var biasLow = Vector256.Load(bias);
        var biasHigh = Vector256.Load(bias + 8);
        return Emit(a0 + biasLow, b0 + biasHigh, thresholds[0], output)
            | ((ulong)Emit(a1 + biasLow, b1 + biasHigh, thresholds[1], output + 16) << 16)
            | ((ulong)Emit(a2 + biasLow, b2 + biasHigh, thresholds[2], output + 32) << 32)
            | ((ulong)Emit(a3 + biasLow, b3 + biasHigh, thresholds[3], output + 48) << 48);
    }

    /// <summary>Scores of one user on four consecutive panels into output[16 j + lane]; 16 bits per panel as <see cref="Score4{TPanel}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe ulong Score1x4<TPanel>(byte* panel, long panelBytes, int k, float* user, float* bias, float threshold, float* output)
        where TPanel : struct, IPanelLoad
    {
        Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
        var p1 = panel + panelBytes;
        var p2 = p1 + panelBytes;
        var p3 = p2 + panelBytes;
        for (var f = 0; f < k; f++)
        {
            var x = Vector256.Create(user[f]);
            var offset = f * TPanel.BytesPerFactor;
            TPanel.Load(panel + offset, out var low, out var high);
            a0 = Vector256.FusedMultiplyAdd(low, x, a0);
            b0 = Vector256.FusedMultiplyAdd(high, x, b0);
            TPanel.Load(p1 + offset, out low, out high);
            a1 = Vector256.FusedMultiplyAdd(low, x, a1);
            b1 = Vector256.FusedMultiplyAdd(high, x, b1);
            TPanel.Load(p2 + offset, out low, out high);
            a2 = Vector256.FusedMultiplyAdd(low, x, a2);
            b2 = Vector256.FusedMultiplyAdd(high, x, b2);
            TPanel.Load(p3 + offset, out low, out high);
            a3 = Vector256.FusedMultiplyAdd(low, x, a3);
            b3 = Vector256.FusedMultiplyAdd(high, x, b3);
        }

        return Emit(a0 + Vector256.Load(bias), b0 + Vector256.Load(bias + 8), threshold, output)
            | ((ulong)Emit(a1 + Vector256.Load(bias + 16), b1 + Vector256.Load(bias + 24), threshold, output + 16) << 16)
            | ((ulong)Emit(a2 + Vector256.Load(bias + 32), b2 + Vector256.Load(bias + 40), threshold, output + 32) << 32)
            | ((ulong)Emit(a3 + Vector256.Load(bias + 48), b3 + Vector256.Load(bias + 56), threshold, output + 48) << 48);
    }

    /// <summary>Scores of two users on two consecutive panels into output[16 (2 user + panel) + lane]; 16 bits each, in that order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe ulong Score2x2<TPanel>(byte* panel, long panelBytes, int k, float* u0, float* u1, float* bias, float threshold0, float threshold1, float* output)
        where TPanel : struct, IPanelLoad
    {
        Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
        var next = panel + panelBytes;
        for (var f = 0; f < k; f++)
        {
            var offset = f * TPanel.BytesPerFactor;
            TPanel.Load(panel + offset, out var low, out var high);
            TPanel.Load(next + offset, out var nextLow, out var nextHigh);
            var x = Vector256.Create(u0[f]);
            a0 = Vector256.FusedMultiplyAdd(low, x, a0);
            b0 = Vector256.FusedMultiplyAdd(high, x, b0);
            a1 = Vector256.FusedMultiplyAdd(nextLow, x, a1);
            b1 = Vector256.FusedMultiplyAdd(nextHigh, x, b1);
            x = Vector256.Create(u1[f]);
            a2 = Vector256.FusedMultiplyAdd(low, x, a2);
            b2 = Vector256.FusedMultiplyAdd(high, x, b2);
            a3 = Vector256.FusedMultiplyAdd(nextLow, x, a3);
            b3 = Vector256.FusedMultiplyAdd(nextHigh, x, b3);
        }

        var biasLow = Vector256.Load(bias);
        var biasHigh = Vector256.Load(bias + 8);
        var nextBiasLow = Vector256.Load(bias + 16);
        var nextBiasHigh = Vector256.Load(bias + 24);
        return Emit(a0 + biasLow, b0 + biasHigh, threshold0, output)
            | ((ulong)Emit(a1 + nextBiasLow, b1 + nextBiasHigh, threshold0, output + 16) << 16)
            | ((ulong)Emit(a2 + biasLow, b2 + biasHigh, threshold1, output + 32) << 32)
            | ((ulong)Emit(a3 + nextBiasLow, b3 + nextBiasHigh, threshold1, output + 48) << 48);
    }

    /// <summary>Scores of one user on one panel (a slice's last panels).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe uint Score1<TPanel>(byte* panel, int k, float* user, float* bias, float threshold, float* output)
        where TPanel : struct, IPanelLoad
    {
        Vector256<float> a0 = default, b0 = default;
        for (var f = 0; f < k; f++)
        {
            var x = Vector256.Create(user[f]);
            TPanel.Load(panel + (f * TPanel.BytesPerFactor), out var low, out var high);
            a0 = Vector256.FusedMultiplyAdd(low, x, a0);
            b0 = Vector256.FusedMultiplyAdd(high, x, b0);
        }

        return Emit(a0 + Vector256.Load(bias), b0 + Vector256.Load(bias + 8), threshold, output);
    }

    /// <summary>Stores a panel's 16 scores and returns which beat the threshold.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe uint Emit(Vector256<float> low, Vector256<float> high, float threshold, float* output)
    {
        low.Store(output);
        high.Store(output + 8);
        var t = Vector256.Create(threshold);
        return Vector256.GreaterThan(low, t).ExtractMostSignificantBits() | (Vector256.GreaterThan(high, t).ExtractMostSignificantBits() << 8);
    }

    /// <summary>How a panel's factor is widened to the 16 items' floats (items 0-7, items 8-15).</summary>
    private unsafe interface IPanelLoad
    {
        static abstract int BytesPerFactor { get; }

        static abstract void Load(byte* factor, out Vector256<float> low, out Vector256<float> high);
    }

    private readonly struct Float32Panel : IPanelLoad
    {
        public static int BytesPerFactor => ItemPanels.Width * sizeof(float);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Load(byte* factor, out Vector256<float> low, out Vector256<float> high)
        {
            low = Vector256.Load((float*)factor);
            high = Vector256.Load((float*)factor + 8);
        }
    }

    private readonly struct BFloat16Panel : IPanelLoad
    {
        public static int BytesPerFactor => ItemPanels.Width * sizeof(ushort);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Load(byte* factor, out Vector256<float> low, out Vector256<float> high)
        {
            // A bfloat16 is a float's upper half: item l sits in lane l's low half, item 8 + l in its high half.
            var both = Vector256.Load((uint*)factor);
            low = Vector256.ShiftLeft(both, 16).AsSingle();
            high = (both & Vector256.Create(0xFFFF0000u)).AsSingle();
        }
    }
}
