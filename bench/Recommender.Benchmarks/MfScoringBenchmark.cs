using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;
using Recommender.Models.Mf;
using Recommender.Models.Onnx;

namespace Recommender.Benchmarks;

/// <summary>
/// MF top-10 over the whole catalog, one user per call and 256 users per call: ONNX Runtime's CPU
/// provider running our exported top-k graph vs. a managed SIMD scorer with heap selection.
/// Answers "where does ORT pay for MF top-N on the CPU?" before serving picks a default.
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

    private sealed class ManagedTopN(MfModel model, int maxBatch, int k)
    {
        private readonly MfTopNScorer _scorer = new(model, maxBatch, k);

        public float[] Scores { get; } = new float[maxBatch * k];

        public int[] Items { get; } = new int[maxBatch * k];

        public void Run(ReadOnlySpan<int> users) => _scorer.Recommend(users, Scores, Items);
    }
}

/// <summary>
/// Managed MF top-N over the whole catalog: a small GEMM-style SIMD kernel plus a bounded min-heap
/// per user.
/// <para>Scoring: the item factors are repacked once into panels of <see cref="PanelItems"/> items,
/// factor-major ([factor][item] inside a panel), so a kernel broadcasts one user factor and
/// multiplies it into a whole vector of items: no horizontal sums, like ORT's pre-packed Gemm.
/// That costs a second copy of Q, the price of the speed. The catalog is walked in tiles that stay
/// in L2 while every user of the batch (four at a time, sharing each panel load) scores against
/// them, so a batch streams the item factors from memory once instead of once per user.</para>
/// <para>Selection keeps only k candidates per user: O(I log k), no sort of the catalog. Scores are
/// raw (unclipped), as in the ONNX graph; ties are broken arbitrarily.</para>
/// Not thread-safe: it owns its scratch buffers (one instance per worker). Lives in the benchmark
/// until serving takes it over.
/// </summary>
internal sealed class MfTopNScorer
{
    private const int UsersPerBlock = 4;

    /// <summary>Items per panel: two SIMD vectors, so kernels keep 2 (x users) accumulators.</summary>
    private static readonly int PanelItems = 2 * Vector<float>.Count;

    private readonly MfModel _model;
    private readonly int _k;
    private readonly int _factors;
    private readonly int _panelsPerTile;
    private readonly float[] _panels;
    private readonly float[] _itemOffset;
    private readonly float[] _tileScores;
    private readonly int _tileStride;
    private readonly TopKHeap[] _heaps;

    public MfTopNScorer(MfModel model, int maxBatch, int k)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, model.ItemCount);
        _model = model;
        _k = k;
        _factors = model.Factors;

        var panelCount = (model.ItemCount + PanelItems - 1) / PanelItems;
        // Padding items (past ItemCount in the last panel) stay zero and are never offered.
        _panels = new float[panelCount * PanelItems * _factors];
        for (var item = 0; item < model.ItemCount; item++)
        {
            var panel = item / PanelItems;
            var lane = item % PanelItems;
            var row = model.ItemRow(item);
            for (var c = 0; c < _factors; c++)
            {
                _panels[(panel * _factors + c) * PanelItems + lane] = row[c];
            }
        }

        // ~256 KiB of item factors per tile: inside a 1 MiB L2 with the user rows and scores.
        _panelsPerTile = Math.Clamp(256 * 1024 / (PanelItems * _factors * sizeof(float)), 1, panelCount);
        _tileStride = _panelsPerTile * PanelItems;

        // mean + b_i once per model rather than per (user, item).
        _itemOffset = new float[panelCount * PanelItems];
        if (model.Biases is { } biases)
        {
            for (var i = 0; i < model.ItemCount; i++)
            {
                _itemOffset[i] = biases.GlobalMean + biases.Item[i];
            }
        }

        _tileScores = new float[UsersPerBlock * _tileStride];
        _heaps = new TopKHeap[maxBatch];
        for (var b = 0; b < maxBatch; b++)
        {
            _heaps[b] = new TopKHeap(k);
        }
    }

    /// <summary>
    /// Writes each user's top k (best first) to <paramref name="scores"/> and <paramref name="items"/>,
    /// row b at [b*k, (b+1)*k).
    /// </summary>
    public void Recommend(ReadOnlySpan<int> users, Span<float> scores, Span<int> items)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(users.Length, _heaps.Length, nameof(users));
        if (scores.Length < users.Length * _k || items.Length < users.Length * _k)
        {
            throw new ArgumentException("Output buffers must hold k entries per user.", nameof(scores));
        }

        foreach (var user in users)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(user, nameof(users));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(user, _model.UserCount, nameof(users));
        }

        for (var b = 0; b < users.Length; b++)
        {
            _heaps[b].Clear();
        }

        var itemCount = _model.ItemCount;
        for (var firstItem = 0; firstItem < itemCount; firstItem += _tileStride)
        {
            var tileItems = Math.Min(_tileStride, itemCount - firstItem);
            var tilePanels = (tileItems + PanelItems - 1) / PanelItems;
            var firstPanel = firstItem / PanelItems;
            for (var b = 0; b < users.Length; b += UsersPerBlock)
            {
                var block = Math.Min(UsersPerBlock, users.Length - b);
                for (var panel = 0; panel < tilePanels; panel++)
                {
                    if (block == UsersPerBlock)
                    {
                        ScoreFourUsers(users.Slice(b, UsersPerBlock), firstPanel + panel, panel * PanelItems);
                    }
                    else
                    {
                        for (var j = 0; j < block; j++)
                        {
                            ScoreOneUser(users[b + j], firstPanel + panel, j * _tileStride + panel * PanelItems);
                        }
                    }
                }

                for (var j = 0; j < block; j++)
                {
                    _heaps[b + j].Offer(_tileScores.AsSpan(j * _tileStride, tileItems), firstItem);
                }
            }
        }

        for (var b = 0; b < users.Length; b++)
        {
            var userBias = _model.Biases is { } biases ? biases.User[users[b]] : 0f;
            _heaps[b].DrainDescending(scores.Slice(b * _k, _k), items.Slice(b * _k, _k), userBias);
        }
    }

    // 1 user x 1 panel. Even and odd factors go to separate accumulators: four independent FMA
    // chains instead of two, so the loop is not bound by FMA latency.
    private void ScoreOneUser(int user, int panel, int scoreOffset)
    {
        var width = Vector<float>.Count;
        ref var q = ref _panels[panel * _factors * PanelItems];
        ref var p = ref _model.UserFactors[user * _factors];
        Vector<float> a0 = default, a1 = default, b0 = default, b1 = default;
        var c = 0;
        for (; c + 1 < _factors; c += 2)
        {
            var pc = new Vector<float>(Unsafe.Add(ref p, c));
            var pd = new Vector<float>(Unsafe.Add(ref p, c + 1));
            var at = (nuint)(c * PanelItems);
            a0 = Vector.FusedMultiplyAdd(pc, Vector.LoadUnsafe(ref q, at), a0);
            a1 = Vector.FusedMultiplyAdd(pc, Vector.LoadUnsafe(ref q, at + (nuint)width), a1);
            b0 = Vector.FusedMultiplyAdd(pd, Vector.LoadUnsafe(ref q, at + (nuint)PanelItems), b0);
            b1 = Vector.FusedMultiplyAdd(pd, Vector.LoadUnsafe(ref q, at + (nuint)(PanelItems + width)), b1);
        }

        if (c < _factors)
        {
            var pc = new Vector<float>(Unsafe.Add(ref p, c));
            var at = (nuint)(c * PanelItems);
            a0 = Vector.FusedMultiplyAdd(pc, Vector.LoadUnsafe(ref q, at), a0);
            a1 = Vector.FusedMultiplyAdd(pc, Vector.LoadUnsafe(ref q, at + (nuint)width), a1);
        }

        var itemBase = panel * PanelItems;
        ref var offsets = ref _itemOffset[itemBase];
        ref var output = ref _tileScores[scoreOffset];
        (a0 + b0 + Vector.LoadUnsafe(ref offsets)).StoreUnsafe(ref output);
        (a1 + b1 + Vector.LoadUnsafe(ref offsets, (nuint)width)).StoreUnsafe(ref output, (nuint)width);
    }

    // 4 users x 1 panel: each panel vector is loaded once and feeds four FMAs (8 accumulators).
    private void ScoreFourUsers(ReadOnlySpan<int> users, int panel, int scoreOffset)
    {
        var width = Vector<float>.Count;
        ref var q = ref _panels[panel * _factors * PanelItems];
        ref var p0 = ref _model.UserFactors[users[0] * _factors];
        ref var p1 = ref _model.UserFactors[users[1] * _factors];
        ref var p2 = ref _model.UserFactors[users[2] * _factors];
        ref var p3 = ref _model.UserFactors[users[3] * _factors];
        Vector<float> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector<float> a20 = default, a21 = default, a30 = default, a31 = default;
        for (var c = 0; c < _factors; c++)
        {
            var at = (nuint)(c * PanelItems);
            var q0 = Vector.LoadUnsafe(ref q, at);
            var q1 = Vector.LoadUnsafe(ref q, at + (nuint)width);
            var v0 = new Vector<float>(Unsafe.Add(ref p0, c));
            a00 = Vector.FusedMultiplyAdd(v0, q0, a00);
            a01 = Vector.FusedMultiplyAdd(v0, q1, a01);
            var v1 = new Vector<float>(Unsafe.Add(ref p1, c));
            a10 = Vector.FusedMultiplyAdd(v1, q0, a10);
            a11 = Vector.FusedMultiplyAdd(v1, q1, a11);
            var v2 = new Vector<float>(Unsafe.Add(ref p2, c));
            a20 = Vector.FusedMultiplyAdd(v2, q0, a20);
            a21 = Vector.FusedMultiplyAdd(v2, q1, a21);
            var v3 = new Vector<float>(Unsafe.Add(ref p3, c));
            a30 = Vector.FusedMultiplyAdd(v3, q0, a30);
            a31 = Vector.FusedMultiplyAdd(v3, q1, a31);
        }

        ref var offsets = ref _itemOffset[panel * PanelItems];
        var o0 = Vector.LoadUnsafe(ref offsets);
        var o1 = Vector.LoadUnsafe(ref offsets, (nuint)width);
        ref var output = ref _tileScores[scoreOffset];
        var stride = (nuint)_tileStride;
        (a00 + o0).StoreUnsafe(ref output);
        (a01 + o1).StoreUnsafe(ref output, (nuint)width);
        (a10 + o0).StoreUnsafe(ref output, stride);
        (a11 + o1).StoreUnsafe(ref output, stride + (nuint)width);
        (a20 + o0).StoreUnsafe(ref output, 2 * stride);
        (a21 + o1).StoreUnsafe(ref output, 2 * stride + (nuint)width);
        (a30 + o0).StoreUnsafe(ref output, 3 * stride);
        (a31 + o1).StoreUnsafe(ref output, 3 * stride + (nuint)width);
    }
}

/// <summary>
/// The k best (score, item) pairs seen so far, as a min-heap on score: the root is the weakest
/// kept candidate, so most items are rejected with one comparison.
/// </summary>
internal sealed class TopKHeap(int k)
{
    private readonly float[] _scores = new float[k];
    private readonly int[] _items = new int[k];
    private int _count;

    public void Clear() => _count = 0;

    /// <summary>Offers scores[j] for item firstItem + j.</summary>
    public void Offer(ReadOnlySpan<float> scores, int firstItem)
    {
        var j = 0;
        for (; j < scores.Length && _count < k; j++)
        {
            _scores[_count] = scores[j];
            _items[_count] = firstItem + j;
            SiftUp(_count++);
        }

        // Once the heap is full almost every score loses to the root: test a whole vector against
        // it at once and look at single scores only in the rare vectors that hold a winner.
        var width = Vector<float>.Count;
        for (; j + width <= scores.Length; j += width)
        {
            if (Vector.GreaterThanAny(new Vector<float>(scores[j..]), new Vector<float>(_scores[0])))
            {
                OfferScalar(scores.Slice(j, width), firstItem + j);
            }
        }

        OfferScalar(scores[j..], firstItem + j);
    }

    private void OfferScalar(ReadOnlySpan<float> scores, int firstItem)
    {
        for (var j = 0; j < scores.Length; j++)
        {
            if (scores[j] > _scores[0])
            {
                _scores[0] = scores[j];
                _items[0] = firstItem + j;
                SiftDown(0);
            }
        }
    }

    /// <summary>Empties the heap into best-first order, adding <paramref name="add"/> to each score.</summary>
    public void DrainDescending(Span<float> scores, Span<int> items, float add)
    {
        for (var r = _count - 1; r >= 0; r--)
        {
            scores[r] = _scores[0] + add;
            items[r] = _items[0];
            _count--;
            if (_count > 0)
            {
                _scores[0] = _scores[_count];
                _items[0] = _items[_count];
                SiftDown(0);
            }
        }
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (_scores[parent] <= _scores[i])
            {
                return;
            }

            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var left = 2 * i + 1;
            if (left >= _count)
            {
                return;
            }

            var smallest = left + 1 < _count && _scores[left + 1] < _scores[left] ? left + 1 : left;
            if (_scores[i] <= _scores[smallest])
            {
                return;
            }

            Swap(i, smallest);
            i = smallest;
        }
    }

    private void Swap(int a, int b)
    {
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
        (_items[a], _items[b]) = (_items[b], _items[a]);
    }
}
