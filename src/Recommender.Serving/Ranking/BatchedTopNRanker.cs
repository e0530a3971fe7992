using System.Diagnostics;
using Recommender.Models.Mf;

namespace Recommender.Serving;

/// <summary>
/// Whole-catalog top-N of a dot-product model that scores concurrent calls together: the calls
/// that arrive while the catalog is being scored for others queue up, and the next free caller
/// thread takes all of them (up to <see cref="TopNBatchingOptions.MaxUsers"/>) as one block
/// (<see cref="BlockTopN"/>), so the item factors stream from memory once per block rather than
/// once per call. No thread of its own: each caller either scores a block (its own call among
/// them) or waits for the block it is in; at most <see cref="TopNBatchingOptions.ConcurrentBlocks"/>
/// blocks run at once. A lone call is scored at once (the optional wait for company is bounded by
/// <see cref="TopNBatchingOptions.MaxWait"/>, zero by default).
/// </summary>
public sealed class BatchedTopNRanker : IRanker
{
    public const string BatchedMethod = "simd-batched";

    private readonly MfModel _model;
    private readonly TopNBatchingOptions _options;
    private readonly long _maxWaitTicks;
    private readonly object _gate = new();
    private readonly List<Call> _pending = [];
    private int _running;

    public BatchedTopNRanker(MfModel model, TopNBatchingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxUsers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ConcurrentBlocks, 1);
        _model = model;
        _options = options;
        _maxWaitTicks = (long)(options.MaxWait.TotalSeconds * Stopwatch.Frequency);
    }

    public string Method => BatchedMethod;

    /// <summary>How many blocks have been scored and how many calls they held (for tests and tuning).</summary>
    public (long Blocks, long Calls) Counts => (Interlocked.Read(ref _blocks), Interlocked.Read(ref _calls));

    private long _blocks;
    private long _calls;

    public unsafe int Rank(int user, ReadOnlySpan<bool> excluded, int excludedCount, Span<int> items, Span<float> scores)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(user);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(user, _model.UserCount);
        var wanted = Math.Min(Math.Min(items.Length, scores.Length), _model.ItemCount);
        fixed (bool* e = excluded)
        fixed (int* i = items)
        fixed (float* s = scores)
        {
            // The pointers stay valid while this call waits: the spans are pinned until Rank returns.
            var call = new Call(new BlockTopN.Query
            {
                User = user,
                Excluded = e,
                ExcludedLength = excluded.Length,
                Items = i,
                Scores = s,
                Wanted = wanted,
            });
            bool lead;
            lock (_gate)
            {
                lead = _running < _options.ConcurrentBlocks;
                if (lead)
                {
                    _running++;
                }
                else
                {
                    _pending.Add(call);
                }
            }

            if (lead)
            {
                // A leader's own call never enters the queue, so no other thread can take or promote it.
                WaitForCompany();
                Call[] block;
                lock (_gate)
                {
                    block = [call, .. Take(_options.MaxUsers - 1)];
                }

                Run(block);
            }
            else
            {
                // Exactly one signal: done (scored in someone's block) or promoted (score the block handed over).
                call.Wait();
                if (call.Assigned is { } assigned)
                {
                    Run(assigned);
                }
            }

            call.ThrowIfFailed();
            return call.Query.Written;
        }
    }

    /// <summary>Removes and returns up to <paramref name="count"/> of the oldest queued calls (under the gate).</summary>
    private Call[] Take(int count)
    {
        var take = Math.Min(_pending.Count, count);
        if (take == 0)
        {
            return [];
        }

        var block = _pending.GetRange(0, take).ToArray();
        _pending.RemoveRange(0, take);
        return block;
    }

    /// <summary>
    /// Scores one block while holding a block slot, then passes the slot on with the next block taken
    /// from the queue (its oldest call scores it on its own thread) or frees it; so every caller
    /// returns once its own block is done.
    /// </summary>
    private void Run(Call[] block)
    {
        try
        {
            var queries = new BlockTopN.Query[block.Length];
            for (var i = 0; i < block.Length; i++)
            {
                queries[i] = block[i].Query;
            }

            BlockTopN.Rank(_model, queries);
            Interlocked.Increment(ref _blocks);
            Interlocked.Add(ref _calls, block.Length);
            for (var i = 0; i < block.Length; i++)
            {
                block[i].Query.Written = queries[i].Written;
            }
        }
        catch (Exception ex)
        {
            foreach (var call in block)
            {
                call.Failure = ex;
            }
        }
        finally
        {
            Call[] next;
            lock (_gate)
            {
                next = Take(_options.MaxUsers);
                if (next.Length == 0)
                {
                    _running--;
                }
            }

            // block[0] is this thread's own call: it needs no signal.
            for (var i = 1; i < block.Length; i++)
            {
                block[i].Complete();
            }

            if (next.Length > 0)
            {
                next[0].Promote(next);
            }
        }
    }

    /// <summary>Waits (spinning: the bound is far below a sleep's resolution) until the block is full or MaxWait has passed.</summary>
    private void WaitForCompany()
    {
        if (_maxWaitTicks <= 0)
        {
            return;
        }

        var deadline = Stopwatch.GetTimestamp() + _maxWaitTicks;
        var spin = default(SpinWait);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            lock (_gate)
            {
                if (_pending.Count >= _options.MaxUsers - 1)
                {
                    return;
                }
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>One call: its query, and how its thread learns that it is done or must score a block.</summary>
    private sealed class Call(BlockTopN.Query query)
    {
        private readonly ManualResetEventSlim _signal = new(false, spinCount: 100);

        public BlockTopN.Query Query = query;

        public Exception? Failure { get; set; }

        /// <summary>The block this call's thread must score (itself first), when it was promoted.</summary>
        public Call[]? Assigned { get; private set; }

        public void Wait() => _signal.Wait();

        public void Promote(Call[] block)
        {
            Assigned = block;
            _signal.Set();
        }

        public void Complete() => _signal.Set();

        public void ThrowIfFailed()
        {
            _signal.Dispose();
            if (Failure is { } failure)
            {
                throw new InvalidOperationException("Scoring the block this call was in failed.", failure);
            }
        }
    }
}
