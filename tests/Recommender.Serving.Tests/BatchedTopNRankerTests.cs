using Recommender.Models.Mf;

namespace Recommender.Serving.Tests;

/// <summary>
/// Calls scored together return what each call would get alone: the brute-force top-N (scores in
/// double precision, sorted) with the caller's own exclusions, from float or bfloat16 panels,
/// whether the calls arrive alone, in blocks of every size, or from many threads at once into the
/// shared scan.
/// </summary>
public sealed class BatchedTopNRankerTests
{
    [Theory]
    [InlineData(1, 3000, 32, true)]
    [InlineData(5, 3000, 37, false)] // k odd, a group of four + a one-user pass
    [InlineData(16, 5000, 200, true)]
    [InlineData(4, 3000, 29, false)]
    [InlineData(3, 3000, 61, true)] // the four-user kernel with a repeated user
    [InlineData(6, 3000, 64, true)] // four + the two-user kernel
    [InlineData(2, 3001, 10, false)] // two-user kernel with a slice of an odd panel count at the end
    [InlineData(3, 9, 8, true)] // fewer items than a panel and than N
    public void A_block_ranks_each_user_as_brute_force_does(int blockSize, int itemCount, int factors, bool biases)
    {
        var model = RandomModel(users: 40, itemCount, factors, biases, seed: blockSize + itemCount);
        foreach (var precision in new[] { PanelPrecision.Float32, PanelPrecision.BFloat16 })
        {
            var panels = new ItemPanels(model, precision);
            var random = new Random(7);
            var users = Enumerable.Range(0, blockSize).Select(_ => random.Next(40)).ToArray();
            var masks = users.Select(_ => RandomMask(itemCount, random)).ToArray();
            var wanted = users.Select((_, i) => 1 + (i * 7 % 25)).ToArray();
            var items = wanted.Select(n => new int[n]).ToArray();
            var scores = wanted.Select(n => new float[n]).ToArray();
            var (written, _) = RankBlock(panels, users, masks, items, scores);
            for (var b = 0; b < blockSize; b++)
            {
                AssertTopN(model, users[b], masks[b], wanted[b], items[b][..written[b]], scores[b][..written[b]]);
            }
        }
    }

    [Fact]
    public void Items_that_bfloat16_cannot_tell_apart_are_ranked_exactly_through_the_fallback()
    {
        // Every item is the same vector up to differences far below bfloat16's 8 bits: the compact
        // scores tie, the error bound cannot separate the N-th from the dropped, so the exact
        // float pass must decide (and does, by the tiny differences).
        const int Items = 2000;
        const int Factors = 16;
        var random = new Random(3);
        var baseRow = Enumerable.Range(0, Factors).Select(_ => (float)(random.NextDouble() + 0.5)).ToArray();
        var itemFactors = new float[Items * Factors];
        for (var i = 0; i < Items; i++)
        {
            for (var f = 0; f < Factors; f++)
            {
                itemFactors[(i * Factors) + f] = baseRow[f] * (1f + (float)(random.NextDouble() * 1e-4));
            }
        }

        var model = new MfModel(2, Items, Factors, [.. baseRow, .. baseRow], itemFactors, biases: null);
        var panels = new ItemPanels(model, PanelPrecision.BFloat16);
        var mask = new bool[Items];
        var items = new[] { new int[10] };
        var scores = new[] { new float[10] };
        var (written, fallbacks) = RankBlock(panels, [1], [mask], items, scores);
        Assert.Equal(1, fallbacks);
        Assert.Equal(10, written[0]);
        var expected = Enumerable.Range(0, Items)
            .OrderByDescending(i => VectorDot(model, 1, i)).ThenBy(i => i).Take(10).ToArray();
        Assert.Equal(expected, items[0]);
    }

    [Theory]
    [InlineData(PanelPrecision.Float32, 1)]
    [InlineData(PanelPrecision.BFloat16, 1)]
    [InlineData(PanelPrecision.Float32, 2)] // two scanner threads: their buffers are merged
    public void Exact_ties_keep_the_lower_index_through_many_buffer_cuts(PanelPrecision precision, int scanThreads)
    {
        // 40 distinct vectors, each item a copy of one: groups of 100 items with equal scores, and
        // a top 250 whose buffer (twice the candidates kept) is cut many times during the scan.
        const int Items = 4000;
        const int Factors = 12;
        var random = new Random(17);
        var distinct = Enumerable.Range(0, 40 * Factors).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var itemFactors = new float[Items * Factors];
        for (var i = 0; i < Items; i++)
        {
            distinct.AsSpan((i * 7 % 40) * Factors, Factors).CopyTo(itemFactors.AsSpan(i * Factors, Factors));
        }

        var model = new MfModel(2, Items, Factors, [.. distinct.AsSpan(0, 2 * Factors)], itemFactors, biases: null);
        var mask = RandomMask(Items, random);
        using var ranker = new BatchedTopNRanker(model, new TopNBatchingOptions { ScanThreads = scanThreads, Precision = precision });
        var items = new int[250];
        var scores = new float[250];

        var written = ranker.Rank(1, mask, mask.Count(m => m), items, scores);

        var expected = Enumerable.Range(0, Items).Where(i => !mask[i])
            .OrderByDescending(i => Exact(model, 1, i)).ThenBy(i => i).Take(250).ToArray();
        Assert.Equal(250, written);
        Assert.Equal(expected, items);
    }

    [Theory]
    [InlineData(PanelPrecision.Float32, 1)]
    [InlineData(PanelPrecision.BFloat16, 2)]
    public void A_large_top_n_is_exact_through_the_sampled_shrinks_of_its_buffer(PanelPrecision precision, int scanThreads)
    {
        // 200 of 20,000: the buffer (twice the candidates kept) fills and is shrunk around sampled
        // thresholds many times before the exact cut at the end.
        var model = RandomModel(users: 5, items: 20_000, factors: 24, biases: true, seed: 33);
        using var ranker = new BatchedTopNRanker(model, new TopNBatchingOptions { ScanThreads = scanThreads, Precision = precision });
        var random = new Random(34);
        for (var user = 0; user < 5; user++)
        {
            var mask = RandomMask(20_000, random);
            var items = new int[200];
            var scores = new float[200];
            var written = ranker.Rank(user, mask, mask.Count(m => m), items, scores);
            Assert.Equal(200, written);
            AssertTopN(model, user, mask, 200, items, scores);
        }
    }

    [Fact]
    public void Spread_scores_pass_the_bfloat16_check_without_the_fallback()
    {
        var model = RandomModel(users: 40, items: 20_000, factors: 64, biases: true, seed: 9);
        var panels = new ItemPanels(model, PanelPrecision.BFloat16);
        var users = Enumerable.Range(0, 16).ToArray();
        var masks = users.Select(_ => new bool[20_000]).ToArray();
        var items = users.Select(_ => new int[10]).ToArray();
        var scores = users.Select(_ => new float[10]).ToArray();
        var (_, fallbacks) = RankBlock(panels, users, masks, items, scores);
        // The check is an upper bound, so some users may fall back; most must not, or the compact copy buys nothing.
        Assert.InRange(fallbacks, 0, 2);
    }

    [Theory]
    [InlineData(2, PanelPrecision.BFloat16)] // the defaults on 2 cores
    [InlineData(1, PanelPrecision.BFloat16)]
    [InlineData(3, PanelPrecision.Float32)]
    public void Concurrent_calls_each_get_their_own_exact_top_n_and_share_the_scan(int scanThreads, PanelPrecision precision)
    {
        const int Users = 200;
        const int Items = 20_000;
        var model = RandomModel(Users, Items, factors: 64, biases: true, seed: 11);
        using var ranker = new BatchedTopNRanker(model, new TopNBatchingOptions { MaxUsers = 8, ScanThreads = scanThreads, Precision = precision });
        const int Threads = 16;
        const int CallsPerThread = 30;
        var calls = new (int User, bool[] Mask, int Wanted, int[] Items, float[] Scores)[Threads, CallsPerThread];
        using var start = new Barrier(Threads);
        // The callers only ask and keep the answers; they are checked afterwards on this thread, so
        // the test loads the machine with the scan alone (sixteen threads checking against brute
        // force had starved the timing tests of other test projects running beside this one).
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var random = new Random(100 + t);
            start.SignalAndWait();
            for (var c = 0; c < CallsPerThread; c++)
            {
                var user = random.Next(Users);
                var mask = RandomMask(Items, random);
                var n = 1 + random.Next(20);
                var items = new int[n];
                var scores = new float[n];
                var written = ranker.Rank(user, mask, mask.Count(m => m), items, scores);
                calls[t, c] = (user, mask, n, items[..written], scores[..written]);
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        // Bounded: a lost wake-up would hang a caller for ever; fail instead.
        foreach (var thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "a caller did not return within 60 s");
        }

        var exact = new ExactScores(model);
        for (var t = 0; t < Threads; t++)
        {
            for (var c = 0; c < CallsPerThread; c++)
            {
                var (user, mask, wanted, items, scores) = calls[t, c];
                exact.AssertTopN(user, mask, wanted, items, scores, $"thread {t} call {c}");
            }
        }

        var (slices, callSlices, answered, _) = ranker.Counts;
        Assert.Equal(Threads * CallsPerThread, answered);
        // Every call saw every slice once...
        Assert.Equal(answered * ranker.SliceCount, callSlices);
        // ...and 16 callers on one scan must have shared slices (one scan per call would read each slice once per call).
        Assert.True(slices < callSlices, $"{slices} slices scanned for {callSlices} call-slices: no call was scored with another");
    }

    [Fact]
    public void A_lone_call_is_answered_and_a_disposed_ranker_refuses_calls()
    {
        var model = RandomModel(users: 4, items: 100, factors: 8, biases: false, seed: 3);
        var ranker = new BatchedTopNRanker(model, new TopNBatchingOptions { MaxUsers = 16 });
        var items = new int[5];
        var scores = new float[5];
        var written = ranker.Rank(2, new bool[100], 0, items, scores);
        Assert.Equal(5, written);
        AssertTopN(model, 2, new bool[100], 5, items, scores);
        ranker.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ranker.Rank(2, new bool[100], 0, items, scores));
    }

    [Fact]
    public void A_top_n_too_large_for_the_callers_stack_is_ranked_from_pinned_heaps()
    {
        // 2 N + 32 candidates for each of two scanner threads: far more than a call keeps on its stack.
        var model = RandomModel(users: 3, items: 30_000, factors: 16, biases: true, seed: 5);
        using var ranker = new BatchedTopNRanker(model, new TopNBatchingOptions { ScanThreads = 2, Precision = PanelPrecision.BFloat16 });
        var mask = RandomMask(30_000, new Random(8));
        var items = new int[12_000];
        var scores = new float[12_000];
        var written = ranker.Rank(1, mask, mask.Count(m => m), items, scores);
        Assert.Equal(12_000, written);
        AssertTopN(model, 1, mask, 12_000, items, scores);
    }

    [Fact]
    public void Retrieval_from_bfloat16_returns_near_best_candidates_within_the_rounding_bound()
    {
        var model = RandomModel(users: 20, items: 20_000, factors: 64, biases: true, seed: 21);
        using var ranker = new BatchedTopNRanker(model, new TopNBatchingOptions { Precision = PanelPrecision.BFloat16 });
        Assert.EndsWith("-approximate", ranker.ForRetrieval.Method);
        var random = new Random(4);
        for (var user = 0; user < 20; user++)
        {
            var mask = RandomMask(20_000, random);
            var items = new int[500];
            var scores = new float[500];
            var written = ranker.ForRetrieval.Rank(user, mask, mask.Count(m => m), items, scores);
            Assert.Equal(500, written);
            Assert.Equal(500, items.Distinct().Count());
            var bound = BlockTopN.ErrorBound(ranker.Panels, user);
            var exactCut = Enumerable.Range(0, 20_000).Where(i => !mask[i]).Select(i => Exact(model, user, i))
                .OrderByDescending(x => x).ElementAt(499);
            foreach (var item in items)
            {
                Assert.False(mask[item]);
                // An item ranked in bfloat16 is at most two rounding bounds below the exact 500th.
                Assert.True(Exact(model, user, item) >= exactCut - (2 * bound) - 1e-4, $"item {item} of user {user} is far below the cut");
            }
        }
    }

    [Fact]
    public void An_unknown_user_is_refused_before_it_joins_the_scan()
    {
        using var ranker = new BatchedTopNRanker(RandomModel(3, 10, 4, false, 1), new TopNBatchingOptions());
        Assert.Throws<ArgumentOutOfRangeException>(() => ranker.Rank(3, new bool[10], 0, new int[2], new float[2]));
    }

    /// <summary>Every (user, item) score in double precision, computed once, for checking many answers cheaply.</summary>
    private sealed class ExactScores
    {
        private readonly double[][] _byUser;

        public ExactScores(MfModel model)
        {
            _byUser = [.. Enumerable.Range(0, model.UserCount).Select(u => Enumerable.Range(0, model.ItemCount).Select(i => Exact(model, u, i)).ToArray())];
        }

        /// <summary>As <see cref="BatchedTopNRankerTests.AssertTopN"/>: the brute-force prefix up to float rounding, no excluded item.</summary>
        public void AssertTopN(int user, bool[] excluded, int wanted, int[] items, float[] scores, string call)
        {
            var row = _byUser[user];
            var reference = Enumerable.Range(0, row.Length).Where(i => !excluded[i]).Select(i => row[i]).OrderDescending().Take(wanted).ToArray();
            Assert.True(items.Length == reference.Length, $"{call}: {items.Length} items for {reference.Length} wanted");
            Assert.Equal(items.Length, items.Distinct().Count());
            for (var i = 0; i < items.Length; i++)
            {
                Assert.False(excluded[items[i]], $"{call}: item {items[i]} is excluded");
                Assert.True(Math.Abs(row[items[i]] - scores[i]) <= 1e-3, $"{call}: item {items[i]} scored {scores[i]}, exactly {row[items[i]]}");
                // The i-th best score, whichever of near-tied items holds it.
                Assert.True(Math.Abs(reference[i] - scores[i]) <= 1e-3, $"{call}: place {i} holds {scores[i]}, the {i}-th best is {reference[i]}");
            }
        }
    }

    /// <summary>The list must be the brute-force ranking's prefix up to float rounding: same scores, no excluded item, best first.</summary>
    internal static void AssertTopN(MfModel model, int user, bool[] excluded, int n, int[] items, float[] scores)
    {
        var reference = Enumerable.Range(0, model.ItemCount)
            .Where(i => !excluded[i])
            .Select(i => (Item: i, Score: Exact(model, user, i)))
            .OrderByDescending(p => p.Score).ThenBy(p => p.Item)
            .Take(n).ToArray();
        Assert.Equal(reference.Length, items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            Assert.False(excluded[items[i]], $"item {items[i]} is excluded");
            Assert.Equal(Exact(model, user, items[i]), scores[i], 1e-3);
            // The i-th best score, whichever of near-tied items holds it.
            Assert.Equal(reference[i].Score, scores[i], 1e-3);
        }

        Assert.Equal(items.Length, items.Distinct().Count());
    }

    internal static double Exact(MfModel model, int user, int item)
    {
        var sum = 0.0;
        for (var f = 0; f < model.Factors; f++)
        {
            sum += (double)model.UserFactors[(user * model.Factors) + f] * model.ItemFactors[(item * model.Factors) + f];
        }

        return model.Biases is { } b ? sum + b.GlobalMean + b.User[user] + b.Item[item] : sum;
    }

    internal static bool[] RandomMask(int items, Random random)
    {
        var mask = new bool[items];
        for (var i = 0; i < items; i++)
        {
            mask[i] = random.NextDouble() < 0.3;
        }

        return mask;
    }

    internal static MfModel RandomModel(int users, int items, int factors, bool biases, int seed)
    {
        var random = new Random(seed);
        float[] Normal(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        return new MfModel(users, items, factors, Normal(users * factors), Normal(items * factors),
            biases ? new MfBiases(3.5f, Normal(users), Normal(items)) : null);
    }

    private static float VectorDot(MfModel model, int user, int item) =>
        Recommender.Models.Implicit.VectorOps.Dot(model.UserRow(user), model.ItemRow(item));

    private static unsafe (int[] Written, int Fallbacks) RankBlock(ItemPanels panels, int[] users, bool[][] masks, int[][] items, float[][] scores)
    {
        var queries = new BlockTopN.Query[users.Length];
        var handles = new List<System.Runtime.InteropServices.GCHandle>();
        try
        {
            for (var b = 0; b < users.Length; b++)
            {
                var wanted = Math.Min(items[b].Length, panels.Model.ItemCount);
                var capacity = BlockTopN.CapacityFor(panels, wanted);
                var heap = new int[BlockTopN.BufferLength(capacity)];
                var heapScores = new float[BlockTopN.BufferLength(capacity)];
                var pinned = new object[] { masks[b], items[b], scores[b], heap, heapScores }
                    .Select(o => System.Runtime.InteropServices.GCHandle.Alloc(o, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
                handles.AddRange(pinned);
                queries[b] = new BlockTopN.Query
                {
                    User = users[b],
                    Excluded = (bool*)pinned[0].AddrOfPinnedObject(),
                    ExcludedLength = masks[b].Length,
                    Items = (int*)pinned[1].AddrOfPinnedObject(),
                    Scores = (float*)pinned[2].AddrOfPinnedObject(),
                    Wanted = wanted,
                    Heap = (int*)pinned[3].AddrOfPinnedObject(),
                    HeapScores = (float*)pinned[4].AddrOfPinnedObject(),
                    Capacity = capacity,
                };
            }

            var fallbacks = BlockTopN.Rank(panels, queries);
            return ([.. queries.Select(q => q.Written)], fallbacks);
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Free();
            }
        }
    }
}
