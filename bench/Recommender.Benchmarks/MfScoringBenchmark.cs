using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Recommender.Models.Mf;
using Recommender.Models.Onnx;
using Recommender.Serving;

namespace Recommender.Benchmarks;

/// <summary>
/// MF top-10 over the whole catalog, one user per call and 256 users per call: ONNX Runtime's CPU
/// provider running our exported top-k graph vs. the managed path serving uses (Serving's
/// <see cref="MfSimdScorer.ScoreAllItems"/> then Data's <see cref="Data.TopN.Select(ReadOnlySpan{float}, int, Span{int}, Func{int, bool}?)"/>,
/// one user at a time as the engine calls them). Answers "where does ORT pay for MF top-N on the CPU?",
/// the choice the loader measures at load.
/// Usage: mf-scoring [seconds-per-phase = 3]
/// </summary>
internal static class MfScoringBenchmark
{
    private const int TopN = 10;
    private const int BatchSize = 256;

    public static int Run(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3.0;
        Console.WriteLine($"loadavg: {File.ReadAllText("/proc/loadavg").Trim()}  (phase: {seconds} s warm-up + {seconds} s timed)");
        Console.WriteLine($"{"catalog",-12} {"items",7} {"factors",7} {"batch",5} {"ORT µs/user",12} {"managed µs/user",16}");

        (string Name, int Users, int Items, int Factors)[] sizes =
        [
            ("ml-100k", 943, 1682, 100),
            ("ml-25m-like", 4096, 62_000, 64),
        ];
        foreach (var (name, users, items, factors) in sizes)
        {
            var model = RandomModel(users, items, factors, seed: 42);
            using var ort = new OrtTopN(model, BatchSize, TopN);
            var managed = new ManagedTopN(model, BatchSize, TopN);
            CheckAgreement(model, ort, managed);

            foreach (var batch in new[] { 1, BatchSize })
            {
                var ortUs = MicrosecondsPerUser(seconds, batch, users, ort.Run);
                var managedUs = MicrosecondsPerUser(seconds, batch, users, managed.Run);
                Console.WriteLine($"{name,-12} {items,7} {factors,7} {batch,5} {ortUs,12:F2} {managedUs,16:F2}");
            }
        }

        Console.WriteLine($"loadavg: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    private static MfModel RandomModel(int users, int items, int factors, int seed)
    {
        var random = new Random(seed);
        var p = new float[users * factors];
        var q = new float[items * factors];
        var scale = 1f / MathF.Sqrt(factors);
        for (var i = 0; i < p.Length; i++)
        {
            p[i] = (float)random.NextDouble() * 2 * scale - scale;
        }

        for (var i = 0; i < q.Length; i++)
        {
            q[i] = (float)random.NextDouble() * 2 * scale - scale;
        }

        return new MfModel(users, items, factors, p, q, biases: null);
    }

    // Both implementations must return the same items (ties aside) before their speed means anything:
    // checked for a lone user (one-user kernel), an odd batch (both kernels) and a full batch, on the
    // benchmarked model and on a biased variant of it.
    private static void CheckAgreement(MfModel model, OrtTopN ort, ManagedTopN managed)
    {
        CheckAgreement(model, ort, managed, [1, 7, BatchSize]);

        var random = new Random(7);
        var biased = new MfModel(model.UserCount, model.ItemCount, model.Factors, model.UserFactors, model.ItemFactors,
            new MfBiases(3.5f,
                Enumerable.Range(0, model.UserCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray(),
                Enumerable.Range(0, model.ItemCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()));
        using var biasedOrt = new OrtTopN(biased, BatchSize, TopN);
        CheckAgreement(biased, biasedOrt, new ManagedTopN(biased, BatchSize, TopN), [7]);
    }

    private static void CheckAgreement(MfModel model, OrtTopN ort, ManagedTopN managed, int[] batches)
    {
        foreach (var batch in batches)
        {
            var users = Enumerable.Range(0, batch).Select(u => (u * 37) % model.UserCount).ToArray();
            ort.Run(users);
            managed.Run(users);
            for (var n = 0; n < batch * TopN; n++)
            {
                var tolerance = 1e-4f * Math.Max(1f, Math.Abs(ort.Scores[n]));
                if (Math.Abs(ort.Scores[n] - managed.Scores[n]) > tolerance)
                {
                    throw new InvalidOperationException(
                        $"ORT and managed top-{TopN} disagree at batch {batch}, slot {n}: {ort.Scores[n]} (item {ort.Items[n]}) " +
                        $"vs {managed.Scores[n]} (item {managed.Items[n]}).");
                }
            }
        }
    }

    private static double MicrosecondsPerUser(double seconds, int batch, int userCount, Action<ReadOnlySpan<int>> run)
    {
        var users = new int[batch];
        var next = 0;
        void Call()
        {
            for (var b = 0; b < users.Length; b++)
            {
                users[b] = next;
                next = next + 1 == userCount ? 0 : next + 1;
            }

            run(users);
        }

        // Warm-up: tiered JIT reaches its final code and caches fill; see design.md.
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < seconds)
        {
            Call();
        }

        long calls = 0;
        var timed = Stopwatch.StartNew();
        while (timed.Elapsed.TotalSeconds < seconds)
        {
            Call();
            calls++;
        }

        return timed.Elapsed.TotalMicroseconds / (calls * batch);
    }

    /// <summary>
    /// ONNX Runtime on the exported top-k graph, called the cheapest way we know: OrtValues created
    /// once over pinned, reused arrays (inputs and preallocated outputs), one thread per session.
    /// </summary>
    private sealed class OrtTopN : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions = new();
        private readonly long[] _userIds;
        private readonly long[] _k;
        private readonly Dictionary<int, OrtValue[]> _valuesByBatch = [];
        private static readonly string[] InputNames = [OnnxNames.UserIds, OnnxNames.K];
        private static readonly string[] OutputNames = [OnnxNames.Scores, OnnxNames.ItemIndices];

        public OrtTopN(MfModel model, int maxBatch, int k)
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
            _session = new InferenceSession(MfOnnxExporter.ExportTopK(model, new Dictionary<string, string>()), options);
            _userIds = new long[maxBatch];
            _k = [k];
            Scores = new float[maxBatch * k];
            Items = new long[maxBatch * k];
        }

        public float[] Scores { get; }

        public long[] Items { get; }

        public void Run(ReadOnlySpan<int> users)
        {
            for (var b = 0; b < users.Length; b++)
            {
                _userIds[b] = users[b];
            }

            var values = Values(users.Length);
            _session.Run(_runOptions, InputNames, [values[0], values[1]], OutputNames, [values[2], values[3]]);
        }

        // One set of OrtValues per batch size, all views over the same arrays: no per-call allocation.
        private OrtValue[] Values(int batch)
        {
            if (!_valuesByBatch.TryGetValue(batch, out var values))
            {
                var k = (int)_k[0];
                var info = OrtMemoryInfo.DefaultInstance;
                values =
                [
                    OrtValue.CreateTensorValueFromMemory(info, _userIds.AsMemory(0, batch), [batch]),
                    OrtValue.CreateTensorValueFromMemory(_k, [1]),
                    OrtValue.CreateTensorValueFromMemory(info, Scores.AsMemory(0, batch * k), [batch, k]),
                    OrtValue.CreateTensorValueFromMemory(info, Items.AsMemory(0, batch * k), [batch, k]),
                ];
                _valuesByBatch[batch] = values;
            }

            return values;
        }

        public void Dispose()
        {
            foreach (var value in _valuesByBatch.Values.SelectMany(v => v))
            {
                value.Dispose();
            }

            _runOptions.Dispose();
            _session.Dispose();
        }
    }

    /// <summary>The served managed path: the whole catalog scored, then partial selection; scores raw, best first.</summary>
    private sealed class ManagedTopN(MfModel model, int maxBatch, int k)
    {
        private readonly MfSimdScorer _scorer = new(model);
        private readonly float[] _catalog = new float[model.ItemCount];
        private readonly int[] _best = new int[k];

        public float[] Scores { get; } = new float[maxBatch * k];

        public int[] Items { get; } = new int[maxBatch * k];

        public void Run(ReadOnlySpan<int> users)
        {
            for (var b = 0; b < users.Length; b++)
            {
                _scorer.ScoreAllItems(users[b], _catalog);
                var n = Data.TopN.Select(_catalog, _best.Length, _best);
                for (var r = 0; r < n; r++)
                {
                    Scores[b * k + r] = _catalog[_best[r]];
                    Items[b * k + r] = _best[r];
                }
            }
        }
    }
}
