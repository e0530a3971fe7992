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
/// blocks run at once. A lone call is scored at once; under concurrency (another block running, or
/// the last block held several calls) a call that finds a free slot waits up to
/// <see cref="TopNBatchingOptions.MaxWait"/> for that company before it scores its block.
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
    private int _lastBlockSize;

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
            bool busy;
            lock (_gate)
            {
                busy = _running > 0;
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
                Call[] block;
                lock (_gate)
                {
                    block = [call, .. Take(_options.MaxUsers - 1)];
                }

                Run(block, busy);
            }
            else
            {
                // Signals: help (run a part of the block this call is in, then wait again), then exactly
                // one of done (scored in someone's block) or promoted (score the block handed over).
                call.Wait();
                while (call.TakeHelp() is { } job)
                {
                    job.RunIfOpen();
                    if (call.Finished)
                    {
                        break;
                    }

                    call.Wait();
                }

                if (call.Assigned is { } assigned)
                {
                    Run(assigned, busy: true);
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
    private void Run(Call[] block, bool busy)
    {
        block = WithCompany(block, busy);
        try
        {
            var queries = new BlockTopN.Query[block.Length];
            for (var i = 0; i < block.Length; i++)
            {
                queries[i] = block[i].Query;
                queries[i].Written = 0;
            }

            if (block.Length > 1 && _options.ThreadsPerBlock > 1)
            {
                RankShared(queries, block[1]);
            }
            else
            {
                BlockTopN.RankRange(_model, queries, 0, _model.ItemCount);
            }

            BlockTopN.Finish(_model, queries);
            Volatile.Write(ref _lastBlockSize, block.Length);
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

    /// <summary>
    /// Scores a block on two threads: this one and <paramref name="helper"/>'s (a caller of the block,
    /// idle until the block is done). Both claim chunks of the catalog from a shared counter into their
    /// own heaps, merged at the end; a helper that wakes late finds fewer chunks (or none) left, so it
    /// never delays the block.
    /// </summary>
    private unsafe void RankShared(BlockTopN.Query[] queries, Call helper)
    {
        var chunkItems = BlockTopN.SliceItems(_model) * 8;
        var chunks = (_model.ItemCount + chunkItems - 1) / chunkItems;
        var total = 0;
        foreach (var q in queries)
        {
            total += q.Wanted;
        }

        var helperItems = new int[Math.Max(1, total)];
        var helperScores = new float[Math.Max(1, total)];
        var next = -1;
        var job = new HelpJob();
        fixed (int* hi = helperItems)
        fixed (float* hs = helperScores)
        {
            var theirs = new BlockTopN.Query[queries.Length];
            var offset = 0;
            for (var i = 0; i < queries.Length; i++)
            {
                theirs[i] = queries[i];
                theirs[i].Items = hi + offset;
                theirs[i].Scores = hs + offset;
                theirs[i].Written = 0;
                offset += queries[i].Wanted;
            }

            void Claim(BlockTopN.Query[] mine)
            {
                for (var c = Interlocked.Increment(ref next); c < chunks; c = Interlocked.Increment(ref next))
                {
                    BlockTopN.RankRange(_model, mine, c * chunkItems, Math.Min(_model.ItemCount, (c + 1) * chunkItems));
                }
            }

            job.Work = () => Claim(theirs);
            helper.Help(job);
            Claim(queries);
            if (!job.Close())
            {
                // The helper started: its heaps are complete once it says so.
                job.Done.Wait();
                for (var i = 0; i < queries.Length; i++)
                {
                    BlockTopN.Merge(ref queries[i], theirs[i]);
                }
            }

            if (job.Failure is { } failure)
            {
                throw new InvalidOperationException("The helper thread failed.", failure);
            }
        }
    }

    /// <summary>Work offered to a waiting caller's thread; it runs it only if it wakes before the offer is closed.</summary>
    private sealed class HelpJob
    {
        private int _state; // 0 offered, 1 started, 2 closed

        public Action Work { get; set; } = () => { };

        public ManualResetEventSlim Done { get; } = new(false, spinCount: 200);

        public Exception? Failure { get; private set; }

        /// <summary>Runs the work unless the offer was closed (on the helper's thread).</summary>
        public void RunIfOpen()
        {
            if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            {
                return;
            }

            try
            {
                Work();
            }
            catch (Exception ex)
            {
                Failure = ex;
            }
            finally
            {
                Done.Set();
            }
        }

        /// <summary>Closes the offer; false when the helper already started (then wait for Done).</summary>
        public bool Close() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;
    }

    /// <summary>
    /// Under concurrency, tops the block up before scoring it: it waits (at most MaxWait) for as many
    /// calls as the last block held, since callers released together come back together (or for one
    /// more while another block runs). A call after a block of one with nothing else running (no
    /// concurrency) never waits.
    /// </summary>
    private Call[] WithCompany(Call[] block, bool busy)
    {
        var expected = Math.Max(Math.Min(Volatile.Read(ref _lastBlockSize), _options.MaxUsers), busy ? 2 : 1);
        if (block.Length >= expected || _maxWaitTicks <= 0)
        {
            return block;
        }

        WaitForCompany(expected - block.Length);
        lock (_gate)
        {
            return [.. block, .. Take(_options.MaxUsers - block.Length)];
        }
    }

    /// <summary>Waits (spinning: the bound is far below a sleep's resolution) until <paramref name="expected"/> calls are queued or MaxWait has passed.</summary>
    private void WaitForCompany(int expected)
    {
        var deadline = Stopwatch.GetTimestamp() + _maxWaitTicks;
        var spin = default(SpinWait);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            lock (_gate)
            {
                if (_pending.Count >= expected)
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
        public Call[]? Assigned => Volatile.Read(ref _assigned);

        private Call[]? _assigned;

        private HelpJob? _help;
        private bool _done;

        public void Wait() => _signal.Wait();

        /// <summary>Offers part of this call's block to its waiting thread (only the block's runner calls this, before it completes the block).</summary>
        public void Help(HelpJob job)
        {
            Volatile.Write(ref _help, job);
            _signal.Set();
        }

        /// <summary>True once the call is done or promoted (a completion that came before the re-arm in <see cref="TakeHelp"/> is seen here).</summary>
        public bool Finished => Volatile.Read(ref _done) || Assigned is not null;

        /// <summary>The offered help, once; re-arms the signal (check <see cref="Finished"/> before waiting again).</summary>
        public HelpJob? TakeHelp()
        {
            var job = Interlocked.Exchange(ref _help, null);
            if (job is not null)
            {
                _signal.Reset();
            }

            return job;
        }

        public void Promote(Call[] block)
        {
            Volatile.Write(ref _assigned, block);
            _signal.Set();
        }

        public void Complete()
        {
            Volatile.Write(ref _done, true);
            _signal.Set();
        }

        // The signal is not disposed: a completer may still be inside Set when this thread returns, and
        // an event that never handed out its WaitHandle holds nothing unmanaged.
        public void ThrowIfFailed()
        {
            if (Failure is { } failure)
            {
                throw new InvalidOperationException("Scoring the block this call was in failed.", failure);
            }
        }
    }
}
