using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;

namespace Recommender.Serving;

/// <summary>
/// Coalesces concurrent pair-scoring requests for one scorer into fewer, larger runs.
/// Each request's pairs are copied into a pooled batch buffer, scored once, and copied back.
/// </summary>
public sealed class PredictionBatcher : IAsyncDisposable
{
    private readonly IPairScorer _scorer;
    private readonly BatchingOptions _options;
    private readonly ServingMetrics? _metrics;
    private readonly Channel<Pending> _queue;
    private readonly Task[] _workers;
    private int _activeRuns;

    public PredictionBatcher(IPairScorer scorer, BatchingOptions options, ServingMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBatchPairs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ConcurrentRuns);
        _scorer = scorer;
        _options = options;
        _metrics = metrics;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.MaxQueuedRequests)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = options.ConcurrentRuns == 1,
        });
        _workers = new Task[options.ConcurrentRuns];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = Task.Factory.StartNew(RunAsync, CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>Scores the pairs, sharing a run with concurrent callers when batching is on.</summary>
    /// <exception cref="BatcherFullException">Too many requests are already waiting.</exception>
    public Task ScoreAsync(ReadOnlyMemory<long> users, ReadOnlyMemory<long> items, Memory<float> scores, CancellationToken cancellationToken)
    {
        if (users.Length != items.Length || scores.Length != users.Length)
        {
            throw new ArgumentException("users, items and scores must have the same length.");
        }

        // A request that fills a batch by itself gains nothing from waiting.
        if (!_options.Enabled || users.Length >= _options.MaxBatchPairs)
        {
            _scorer.Score(users.Span, items.Span, scores.Span);
            _metrics?.BatchPairs.Record(users.Length);
            _metrics?.BatchRequests.Record(1);
            return Task.CompletedTask;
        }

        // An idle batcher has nothing to merge with: score on the caller's thread instead of
        // handing the request to a worker and back (two thread-pool hops that cost most at low
        // concurrency on busy cores). Requests that arrive while a run is in progress queue up
        // and are coalesced.
        if (_queue.Reader.Count == 0 && Interlocked.CompareExchange(ref _activeRuns, 1, 0) == 0)
        {
            try
            {
                _scorer.Score(users.Span, items.Span, scores.Span);
            }
            finally
            {
                Interlocked.Decrement(ref _activeRuns);
            }

            _metrics?.BatchPairs.Record(users.Length);
            _metrics?.BatchRequests.Record(1);
            return Task.CompletedTask;
        }

        var pending = new Pending(users, items, scores, cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new BatcherFullException($"More than {_options.MaxQueuedRequests} prediction requests are waiting.");
        }

        return pending.Completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_workers).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var pairs = Take(reader, batch, 0);
            if (pairs == 0)
            {
                continue;
            }

            if (_options.MaxQueueDelay > TimeSpan.Zero && pairs < _options.MaxBatchPairs)
            {
                pairs = await WaitForMoreAsync(reader, batch, pairs).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _activeRuns);
            try
            {
                RunBatch(batch, pairs);
            }
            finally
            {
                Interlocked.Decrement(ref _activeRuns);
            }
        }
    }

    // Greedy drain: take what is queued now, up to the batch limit.
    private int Take(ChannelReader<Pending> reader, List<Pending> batch, int pairs)
    {
        while (pairs < _options.MaxBatchPairs && reader.TryPeek(out var next))
        {
            if (pairs > 0 && pairs + next.Users.Length > _options.MaxBatchPairs)
            {
                break;
            }

            if (!reader.TryRead(out next))
            {
                break;
            }

            if (next.CancellationToken.IsCancellationRequested)
            {
                next.Completion.TrySetCanceled(next.CancellationToken);
                continue;
            }

            batch.Add(next);
            pairs += next.Users.Length;
        }

        return pairs;
    }

    private async Task<int> WaitForMoreAsync(ChannelReader<Pending> reader, List<Pending> batch, int pairs)
    {
        using var window = new CancellationTokenSource(_options.MaxQueueDelay);
        try
        {
            while (pairs < _options.MaxBatchPairs && await reader.WaitToReadAsync(window.Token).ConfigureAwait(false))
            {
                var before = pairs;
                pairs = Take(reader, batch, pairs);
                if (pairs == before)
                {
                    break; // the next request would overflow the batch
                }
            }
        }
        catch (OperationCanceledException) when (window.IsCancellationRequested)
        {
            // The wait window closed: run what we have.
        }

        return pairs;
    }

    private void RunBatch(List<Pending> batch, int pairs)
    {
        var users = ArrayPool<long>.Shared.Rent(pairs);
        var items = ArrayPool<long>.Shared.Rent(pairs);
        var scores = ArrayPool<float>.Shared.Rent(pairs);
        try
        {
            var offset = 0;
            foreach (var p in batch)
            {
                p.Users.Span.CopyTo(users.AsSpan(offset));
                p.Items.Span.CopyTo(items.AsSpan(offset));
                offset += p.Users.Length;
            }

            _scorer.Score(users.AsSpan(0, pairs), items.AsSpan(0, pairs), scores.AsSpan(0, pairs));
            _metrics?.BatchPairs.Record(pairs);
            _metrics?.BatchRequests.Record(batch.Count);

            offset = 0;
            foreach (var p in batch)
            {
                scores.AsSpan(offset, p.Users.Length).CopyTo(p.Scores.Span);
                offset += p.Users.Length;
                _metrics?.QueueSeconds.Record(Stopwatch.GetElapsedTime(p.EnqueuedAt).TotalSeconds);
                p.Completion.TrySetResult();
            }
        }
        catch (Exception ex)
        {
            foreach (var p in batch)
            {
                p.Completion.TrySetException(ex);
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(users);
            ArrayPool<long>.Shared.Return(items);
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    private sealed class Pending(ReadOnlyMemory<long> users, ReadOnlyMemory<long> items, Memory<float> scores, CancellationToken cancellationToken)
    {
        public ReadOnlyMemory<long> Users { get; } = users;

        public ReadOnlyMemory<long> Items { get; } = items;

        public Memory<float> Scores { get; } = scores;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public long EnqueuedAt { get; } = Stopwatch.GetTimestamp();

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The batcher's queue is full.</summary>
public sealed class BatcherFullException(string message) : Exception(message);
