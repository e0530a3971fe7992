using Recommender.Models.Mf;

namespace Recommender.Serving.Tests;

/// <summary>
/// Calls scored together return what each call would get alone: the brute-force top-N (scores in
/// double precision, sorted) with the caller's own exclusions, whether the calls arrive alone, in
/// blocks of every size, or from many threads at once.
/// </summary>
public sealed class BatchedTopNRankerTests
{
    [Theory]
    [InlineData(1, 3000, 32, true)]
    [InlineData(5, 3000, 37, false)] // k not a multiple of the vector width, block of 4 + 1
    [InlineData(16, 5000, 200, true)]
    [InlineData(4, 3000, 29, false)] // 512-bit, 256-bit and scalar parts of the four-user kernel
    [InlineData(3, 3000, 61, true)] // every part of the one-user kernel
    [InlineData(3, 9, 8, true)] // fewer items than a slice and than N
    public void A_block_ranks_each_user_as_brute_force_does(int blockSize, int itemCount, int factors, bool biases)
    {
        var model = RandomModel(users: 40, itemCount, factors, biases, seed: blockSize + itemCount);
        var random = new Random(7);
        var users = Enumerable.Range(0, blockSize).Select(_ => random.Next(40)).ToArray();
        var masks = users.Select(_ => RandomMask(itemCount, random)).ToArray();
        var wanted = users.Select((_, i) => 1 + (i * 7 % 25)).ToArray();
        var items = wanted.Select(n => new int[n]).ToArray();
        var scores = wanted.Select(n => new float[n]).ToArray();
        var written = RankBlock(model, users, masks, items, scores);
        for (var b = 0; b < blockSize; b++)
        {
            AssertTopN(model, users[b], masks[b], wanted[b], items[b][..written[b]], scores[b][..written[b]]);
        }
    }

    [Theory]
    [InlineData(1, 2)] // the defaults on 2 cores: one block at a time, scored by two of its callers' threads
    [InlineData(2, 2)]
    [InlineData(2, 1)]
    [InlineData(1, 1)]
    public void Concurrent_calls_each_get_their_own_exact_top_n_and_share_blocks(int concurrentBlocks, int threadsPerBlock)
    {
        var model = RandomModel(users: 200, items: 20_000, factors: 64, biases: true, seed: 11);
        var ranker = new BatchedTopNRanker(model, new TopNBatchingOptions { MaxUsers = 8, ConcurrentBlocks = concurrentBlocks, ThreadsPerBlock = threadsPerBlock });
        const int Threads = 16;
        const int CallsPerThread = 30;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var random = new Random(100 + t);
            start.SignalAndWait();
            for (var c = 0; c < CallsPerThread; c++)
            {
                var user = random.Next(200);
                var mask = RandomMask(20_000, random);
                var n = 1 + random.Next(20);
                var items = new int[n];
                var scores = new float[n];
                var written = ranker.Rank(user, mask, mask.Count(m => m), items, scores);
                try
                {
                    AssertTopN(model, user, mask, n, items[..written], scores[..written]);
                }
                catch (Exception ex)
                {
                    failures.Add($"thread {t} call {c}: {ex.Message}");
                }
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

        Assert.Empty(failures);
        var (blocks, calls) = ranker.Counts;
        Assert.Equal(Threads * CallsPerThread, calls);
        // 16 threads on at most 2 running blocks: calls must have been scored together.
        Assert.True(blocks < calls, $"{blocks} blocks for {calls} calls: no call was scored with another");
    }

    [Fact]
    public void A_lone_call_is_not_delayed_by_the_wait_for_company()
    {
        var model = RandomModel(users: 4, items: 100, factors: 8, biases: false, seed: 3);
        var ranker = new BatchedTopNRanker(model, new TopNBatchingOptions { MaxUsers = 16, MaxWait = TimeSpan.FromSeconds(3) });
        var items = new int[5];
        var scores = new float[5];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var written = ranker.Rank(2, new bool[100], 0, items, scores);
        watch.Stop();
        Assert.Equal(5, written);
        AssertTopN(model, 2, new bool[100], 5, items, scores);
        // The wait applies only while another block runs; nothing else runs here.
        Assert.InRange(watch.Elapsed.TotalMilliseconds, 0, 1500);
    }

    [Fact]
    public void An_unknown_user_is_refused_before_it_joins_a_block()
    {
        var ranker = new BatchedTopNRanker(RandomModel(3, 10, 4, false, 1), new TopNBatchingOptions());
        Assert.Throws<ArgumentOutOfRangeException>(() => ranker.Rank(3, new bool[10], 0, new int[2], new float[2]));
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

    private static unsafe int[] RankBlock(MfModel model, int[] users, bool[][] masks, int[][] items, float[][] scores)
    {
        var queries = new BlockTopN.Query[users.Length];
        var handles = new List<System.Runtime.InteropServices.GCHandle>();
        try
        {
            for (var b = 0; b < users.Length; b++)
            {
                var mask = System.Runtime.InteropServices.GCHandle.Alloc(masks[b], System.Runtime.InteropServices.GCHandleType.Pinned);
                var its = System.Runtime.InteropServices.GCHandle.Alloc(items[b], System.Runtime.InteropServices.GCHandleType.Pinned);
                var scs = System.Runtime.InteropServices.GCHandle.Alloc(scores[b], System.Runtime.InteropServices.GCHandleType.Pinned);
                handles.AddRange([mask, its, scs]);
                queries[b] = new BlockTopN.Query
                {
                    User = users[b],
                    Excluded = (bool*)mask.AddrOfPinnedObject(),
                    ExcludedLength = masks[b].Length,
                    Items = (int*)its.AddrOfPinnedObject(),
                    Scores = (float*)scs.AddrOfPinnedObject(),
                    Wanted = Math.Min(items[b].Length, model.ItemCount),
                };
            }

            BlockTopN.Rank(model, queries);
            return [.. queries.Select(q => q.Written)];
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
