namespace Recommender.Serving;

/// <summary>
/// Whole-catalog top-N of a dot-product model that scores concurrent calls together in one shared,
/// circular scan of the item panels (a cooperative scan, as databases share one table scan among
/// queries). Scanner threads claim the catalog's slices one after another, round and round; a call
/// joins the scan at whichever slice comes next and leaves once it has seen every slice, so a call
/// never waits for a block to form or for the one before it to end, and every slice is read from
/// memory once for all the calls in it (<see cref="BlockTopN"/> scores them against it while it is
/// in cache). With two scanner threads a lone call is also split over two cores. At most
/// <see cref="TopNBatchingOptions.MaxUsers"/> calls are in the scan at once; later ones join as
/// places free up.
/// </summary>
public sealed class BatchedTopNRanker : IRanker, ICandidateRetrieval, IDisposable
{
    public const string BatchedMethod = "simd-batched";

    /// <summary>Buffer entries (int + float each, 128 KB) a call keeps on its stack: 4 threads of 2 (2 N + 32) for N up to 1000.</summary>
    private const int MaxStackHeapEntries = 16384;

    private readonly ItemPanels _panels;
    private readonly int _maxUsers;
    private readonly int _slicePanels;
    private readonly int _sliceCount;
    private readonly object _gate = new();
    private readonly Queue<Call> _waiting = new();
    private readonly List<Call> _active = [];
    private readonly Thread[] _scanners;
    private long _nextSlice;
    private bool _disposed;
    private long _slicesScanned;
    private long _callSlices;
    private long _calls;
    private long _fallbacks;

    public BatchedTopNRanker(Models.Mf.MfModel model, TopNBatchingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxUsers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ScanThreads, 1);
        _panels = new ItemPanels(model, options.Precision);
        _maxUsers = options.MaxUsers;
        _slicePanels = BlockTopN.SlicePanels(_panels);
        _sliceCount = Math.Max(1, (_panels.PanelCount + _slicePanels - 1) / _slicePanels);
        ForRetrieval = new Retrieval(this);
        _scanners = new Thread[options.ScanThreads];
        for (var t = 0; t < _scanners.Length; t++)
        {
            var index = t;
            _scanners[t] = new Thread(() => Scan(index)) { IsBackground = true, Name = $"topn-scan-{t}" };
            _scanners[t].Start();
        }
    }

    public string Method => _panels.IsExact ? BatchedMethod : BatchedMethod + "-bf16";

    /// <summary>The panels it scores from (their bytes are part of the version's resident memory).</summary>
    public ItemPanels Panels => _panels;

    /// <summary>
    /// Slices scanned, the calls those scans held in all (a slice scanned for 8 calls counts 8),
    /// calls answered, and how many of those the compact panels' exactness check sent to the float
    /// fallback (for tests and tuning).
    /// </summary>
    public (long Slices, long CallSlices, long Calls, long Fallbacks) Counts =>
        (Interlocked.Read(ref _slicesScanned), Interlocked.Read(ref _callSlices), Interlocked.Read(ref _calls), Interlocked.Read(ref _fallbacks));

    /// <summary>Slices a call must see (the catalog in slices of a few hundred KB).</summary>
    public int SliceCount => _sliceCount;

    /// <summary>
    /// The same scan answering from the panels' own scores, with no float re-score: bfloat16 may
    /// move an item across the N-th place, which a first stage can afford (the second re-ranks its
    /// candidates), and it keeps N candidates rather than 2N + 32.
    /// </summary>
    public IRanker ForRetrieval { get; }

    public int Rank(int user, ReadOnlySpan<bool> excluded, int excludedCount, Span<int> items, Span<float> scores) =>
        Rank(user, excluded, items, scores, approximate: false);

    private unsafe int Rank(int user, ReadOnlySpan<bool> excluded, Span<int> items, Span<float> scores, bool approximate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(user);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(user, _panels.Model.UserCount);
        var wanted = Math.Min(Math.Min(items.Length, scores.Length), _panels.Model.ItemCount);
        var capacity = BlockTopN.CapacityFor(_panels, wanted, approximate);
        var buffer = BlockTopN.BufferLength(capacity);
        var threads = _scanners.Length;
        // One candidate buffer per scanner thread (a thread only touches its own), merged when the call is done:
        // on this thread's stack for the usual top-N, on the pinned heap for a large one (an
        // operator may raise MaxTopN or the two-stage candidates; a stack has about a megabyte).
        var onStack = buffer * threads <= MaxStackHeapEntries;
        var heapArray = onStack ? null : GC.AllocateUninitializedArray<int>(buffer * threads, pinned: true);
        var heapScoreArray = onStack ? null : GC.AllocateUninitializedArray<float>(buffer * threads, pinned: true);
        var heaps = onStack ? stackalloc int[buffer * threads] : default;
        var heapScores = onStack ? stackalloc float[buffer * threads] : default;
        fixed (int* pooledHeaps = heapArray)
        fixed (float* pooledScores = heapScoreArray)
        fixed (int* stackHeaps = heaps)
        fixed (float* stackScores = heapScores)
        fixed (bool* e = excluded)
        fixed (int* i = items)
        fixed (float* s = scores)
        {
            // The pointers stay valid while this call waits: the spans are pinned, and the heaps on
            // this thread's stack, until Rank returns.
            var parts = new BlockTopN.Query[threads];
            for (var t = 0; t < threads; t++)
            {
                parts[t] = new BlockTopN.Query
                {
                    User = user,
                    Excluded = e,
                    ExcludedLength = excluded.Length,
                    Items = i,
                    Scores = s,
                    Wanted = wanted,
                    Heap = (onStack ? stackHeaps : pooledHeaps) + (t * buffer),
                    HeapScores = (onStack ? stackScores : pooledScores) + (t * buffer),
                    Capacity = capacity,
                    Approximate = approximate,
                };
            }

            var call = new Call(parts);
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _waiting.Enqueue(call);
                Monitor.PulseAll(_gate);
            }

            call.Wait();
            call.ThrowIfFailed();
            return call.Written;
        }
    }

    /// <summary>A scanner thread: claims the next slice, scans it for every call that still needs it, completes the calls that have seen the whole catalog.</summary>
    private void Scan(int thread)
    {
        var calls = new Call[_maxUsers];
        var queries = new BlockTopN.Query[_maxUsers];
        while (true)
        {
            long slice;
            var count = 0;
            lock (_gate)
            {
                while (_active.Count == 0 && _waiting.Count == 0 && !_disposed)
                {
                    Monitor.Wait(_gate);
                }

                if (_disposed)
                {
                    return; // Dispose fails what is left once every scanner is out of its slice
                }

                slice = _nextSlice++;
                while (_waiting.Count > 0 && _active.Count < _maxUsers)
                {
                    var joining = _waiting.Dequeue();
                    joining.FirstSlice = slice;
                    _active.Add(joining);
                }

                // Every active call joined at or before this slice; one that has had all its slices claimed leaves.
                for (var a = _active.Count - 1; a >= 0; a--)
                {
                    if (slice >= _active[a].FirstSlice + _sliceCount)
                    {
                        _active.RemoveAt(a);
                    }
                    else
                    {
                        calls[count++] = _active[a];
                    }
                }
            }

            if (count == 0)
            {
                continue;
            }

            ScanSlice(thread, (int)(slice % _sliceCount), calls.AsSpan(0, count), queries);
        }
    }

    private void ScanSlice(int thread, int slice, Span<Call> calls, BlockTopN.Query[] queries)
    {
        for (var c = 0; c < calls.Length; c++)
        {
            queries[c] = calls[c].Parts[thread];
        }

        try
        {
            var from = slice * _slicePanels;
            BlockTopN.RankRange(_panels, queries.AsSpan(0, calls.Length), from, Math.Min(_panels.PanelCount, from + _slicePanels));
            for (var c = 0; c < calls.Length; c++)
            {
                calls[c].Parts[thread] = queries[c]; // what the slice changed: Kept, Floor, Dropped
            }
        }
        catch (Exception ex)
        {
            foreach (var call in calls)
            {
                call.Failure ??= ex;
            }
        }

        Interlocked.Increment(ref _slicesScanned);
        Interlocked.Add(ref _callSlices, calls.Length);
        foreach (var call in calls)
        {
            // The increment publishes this thread's heap writes; the last slice's thread finishes the call.
            if (Interlocked.Increment(ref call.SlicesDone) == _sliceCount)
            {
                Finish(call);
            }
        }
    }

    /// <summary>Merges the call's per-thread heaps into the first, turns it into the answer and wakes the caller.</summary>
    private void Finish(Call call)
    {
        try
        {
            if (call.Failure is null)
            {
                var parts = call.Parts;
                for (var t = 1; t < parts.Length; t++)
                {
                    BlockTopN.Merge(ref parts[0], parts[t]);
                }

                Interlocked.Add(ref _fallbacks, BlockTopN.Finish(_panels, parts.AsSpan(0, 1)));
                call.Written = parts[0].Written;
            }
        }
        catch (Exception ex)
        {
            call.Failure = ex;
        }

        Interlocked.Increment(ref _calls);
        call.Complete();
    }

    /// <summary>
    /// On dispose, once no scanner thread is inside a slice: no call may wait for ever (a version is
    /// disposed only once its calls drained, so normally none is left). Failing a call earlier would
    /// let its caller return and free the heaps on its stack while another scanner still writes them.
    /// </summary>
    private void FailAll()
    {
        foreach (var call in _active.Concat(_waiting).ToArray())
        {
            call.Failure ??= new ObjectDisposedException(nameof(BatchedTopNRanker));
            call.Complete();
        }

        _active.Clear();
        _waiting.Clear();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Monitor.PulseAll(_gate);
        }

        foreach (var scanner in _scanners)
        {
            // A slice takes microseconds; a scanner still running after this would write into the heaps of a failed call.
            if (!scanner.Join(TimeSpan.FromSeconds(30)))
            {
                throw new InvalidOperationException($"Scanner thread {scanner.Name} did not stop; its calls are left waiting.");
            }
        }

        lock (_gate)
        {
            FailAll();
        }
    }

    private sealed class Retrieval(BatchedTopNRanker scan) : IRanker
    {
        public string Method => scan.Method + (scan._panels.IsExact ? string.Empty : "-approximate");

        public int Rank(int user, ReadOnlySpan<bool> excluded, int excludedCount, Span<int> items, Span<float> scores) =>
            scan.Rank(user, excluded, items, scores, approximate: true);
    }

    /// <summary>One call: its per-thread heaps, where in the scan it joined, and how its caller learns that it is done.</summary>
    private sealed class Call(BlockTopN.Query[] parts)
    {
        // A scan takes hundreds of microseconds: the caller sleeps rather than spins. Not disposed: a
        // completer may still be inside Set when the caller returns, and an event that never handed
        // out its WaitHandle holds nothing unmanaged.
        private readonly ManualResetEventSlim _done = new(false, spinCount: 1);
        private int _completed;

        public BlockTopN.Query[] Parts { get; } = parts;

        public long FirstSlice;

        public int SlicesDone;

        public int Written { get; set; }

        public Exception? Failure { get; set; }

        public void Wait() => _done.Wait();

        public void Complete()
        {
            if (Interlocked.Exchange(ref _completed, 1) == 0)
            {
                _done.Set();
            }
        }

        public void ThrowIfFailed()
        {
            if (Failure is { } failure)
            {
                throw new InvalidOperationException("Scoring this call's part of the shared scan failed.", failure);
            }
        }
    }
}
