using System.Diagnostics;
using System.Globalization;
using Recommender.Models.Mf;
using Recommender.Serving;

namespace Recommender.Benchmarks;

/// <summary>
/// The served whole-catalog top-10 kernel (<see cref="BlockTopN"/>) on one thread: microseconds per
/// user for blocks of 1, 4 and 8 users, float against bfloat16 panels, on catalogs whose item
/// factors fit the caches and on ones that stream from memory. Answers "does the compact copy pay,
/// and how much does a block save?". Also counts the bfloat16 exactness fallbacks.
/// Usage: block-topn [seconds-per-case = 2]
/// </summary>
internal static class BlockTopNBenchmark
{
    private const int TopN = 10;

    public static int Run(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 2.0;
        Console.WriteLine($"loadavg: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"{"items",7} {"factors",7} {"MB f32",7} {"precision",9} {"block",5} {"µs/user",9} {"GMAC/s",7} {"fallbacks",9}");
        foreach (var (items, factors) in new[] { (1682, 100), (62_000, 64), (62_000, 200), (62_000, 10) })
        {
            var model = RandomModel(4096, items, factors, seed: 5);
            foreach (var precision in new[] { PanelPrecision.Float32, PanelPrecision.BFloat16 })
            {
                var panels = new ItemPanels(model, precision);
                foreach (var block in new[] { 1, 4, 8 })
                {
                    var (us, fallbacks, calls) = Measure(panels, block, seconds);
                    var gmacs = (double)items * factors / us / 1000;
                    Console.WriteLine($"{items,7} {factors,7} {items * factors * 4 / 1e6,7:F1} {precision,9} {block,5} {us,9:F1} {gmacs,7:F2} {fallbacks,5}/{calls}");
                }
            }
        }

        Console.WriteLine($"loadavg: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    private static unsafe (double MicrosecondsPerUser, long Fallbacks, long Users) Measure(ItemPanels panels, int block, double seconds)
    {
        var capacity = BlockTopN.CapacityFor(panels, TopN);
        var heaps = new int[block * capacity];
        var heapScores = new float[block * capacity];
        var items = new int[block * TopN];
        var scores = new float[block * TopN];
        var excluded = new bool[panels.Model.ItemCount];
        var queries = new BlockTopN.Query[block];
        var next = 0;
        fixed (int* h = heaps)
        fixed (float* hs = heapScores)
        fixed (int* it = items)
        fixed (float* sc = scores)
        fixed (bool* ex = excluded)
        {
            for (var b = 0; b < block; b++)
            {
                queries[b] = new BlockTopN.Query
                {
                    Excluded = ex,
                    ExcludedLength = excluded.Length,
                    Items = it + (b * TopN),
                    Scores = sc + (b * TopN),
                    Wanted = TopN,
                    Heap = h + (b * capacity),
                    HeapScores = hs + (b * capacity),
                    Capacity = capacity,
                };
            }

            // Warm-up (tiered JIT, caches), then the timed phase.
            RunFor(panels, queries, seconds / 2, ref next);
            var timed = Stopwatch.StartNew();
            var (users, fallbacks) = RunFor(panels, queries, seconds, ref next);
            return (timed.Elapsed.TotalMicroseconds / users, fallbacks, users);
        }
    }

    private static (long Users, long Fallbacks) RunFor(ItemPanels panels, BlockTopN.Query[] queries, double seconds, ref int next)
    {
        long users = 0;
        long fallbacks = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            for (var b = 0; b < queries.Length; b++)
            {
                queries[b].User = next;
                next = (next + 1) % panels.Model.UserCount;
            }

            fallbacks += BlockTopN.Rank(panels, queries);
            users += queries.Length;
        }

        return (users, fallbacks);
    }

    private static MfModel RandomModel(int users, int items, int factors, int seed)
    {
        var random = new Random(seed);
        float Next(float scale) => ((float)random.NextDouble() * 2 * scale) - scale;
        var scale = 1f / MathF.Sqrt(factors);
        var p = new float[users * factors];
        var q = new float[items * factors];
        for (var i = 0; i < p.Length; i++)
        {
            p[i] = Next(scale);
        }

        for (var i = 0; i < q.Length; i++)
        {
            q[i] = Next(scale);
        }

        var userBias = Enumerable.Range(0, users).Select(_ => Next(0.3f)).ToArray();
        var itemBias = Enumerable.Range(0, items).Select(_ => Next(0.3f)).ToArray();
        return new MfModel(users, items, factors, p, q, new MfBiases(3.5f, userBias, itemBias));
    }
}
