namespace Recommender.Serving.Tests;

public sealed class PredictionBatcherTests
{
    /// <summary>Scores user * 1000 + item and records every run's size.</summary>
    private sealed class RecordingScorer : IPairScorer
    {
        private readonly Lock _gate = new();

        public List<int> RunSizes { get; } = [];

        public ManualResetEventSlim Gate { get; } = new(initialState: true);

        private int _entered;

        public ManualResetEventSlim Entered { get; } = new();

        /// <summary>Waits until <paramref name="runs"/> runs have started (and are held at the gate).</summary>
        public bool WaitForRuns(int runs) => SpinWait.SpinUntil(() => Volatile.Read(ref _entered) >= runs, TimeSpan.FromSeconds(5));

        public void Score(ReadOnlySpan<long> users, ReadOnlySpan<long> items, Span<float> scores)
        {
            Interlocked.Increment(ref _entered);
            Entered.Set();
            Gate.Wait();
            lock (_gate)
            {
                RunSizes.Add(users.Length);
            }

            for (var i = 0; i < users.Length; i++)
            {
                scores[i] = (users[i] * 1000) + items[i];
            }
        }
    }

    [Fact]
    public async Task Coalesces_queued_requests_into_one_run_and_returns_each_its_own_scores()
    {
        var scorer = new RecordingScorer();
        await using var batcher = new PredictionBatcher(scorer, new BatchingOptions { ConcurrentRuns = 1, MaxBatchPairs = 1000 });

        // Hold two runs at the gate: the first request runs on the caller's thread (the batcher is
        // idle), the second is taken by the worker. Everything after that queues up.
        scorer.Gate.Reset();
        var first = new float[1];
        var second = new float[1];
        var blocked = Task.Run(() => batcher.ScoreAsync(new long[] { 9 }, new long[] { 9 }, first, CancellationToken.None));
        Assert.True(scorer.WaitForRuns(1), "the first request never started");
        var blockedWorker = batcher.ScoreAsync(new long[] { 8 }, new long[] { 8 }, second, CancellationToken.None);
        Assert.True(scorer.WaitForRuns(2), "the worker never took the second request");

        var outputs = Enumerable.Range(0, 20).Select(_ => new float[2]).ToArray();
        var tasks = outputs.Select((o, r) =>
            batcher.ScoreAsync(new long[] { r, r }, new long[] { 1, 2 }, o, CancellationToken.None)).ToArray();
        scorer.Gate.Set();
        await blocked;
        await blockedWorker;
        await Task.WhenAll(tasks);

        for (var r = 0; r < outputs.Length; r++)
        {
            Assert.Equal([(r * 1000) + 1, (r * 1000) + 2], outputs[r]);
        }

        Assert.Equal(9009f, first[0]);
        Assert.Equal(8008f, second[0]);
        // The two held single-pair runs, then the 20 queued requests (40 pairs) in one run.
        Assert.Equal([1, 1, 40], scorer.RunSizes.Order());
    }

    [Fact]
    public async Task Splits_runs_at_the_batch_limit()
    {
        var scorer = new RecordingScorer();
        await using var batcher = new PredictionBatcher(scorer, new BatchingOptions { ConcurrentRuns = 1, MaxBatchPairs = 10 });
        scorer.Gate.Reset();
        var first = Task.Run(() => batcher.ScoreAsync(new long[4], new long[4], new float[4], CancellationToken.None));
        Assert.True(scorer.Entered.Wait(TimeSpan.FromSeconds(5)), "the first request never started");
        var tasks = Enumerable.Range(0, 6)
            .Select(_ => batcher.ScoreAsync(new long[4], new long[4], new float[4], CancellationToken.None)).Append(first).ToArray();
        scorer.Gate.Set();
        await Task.WhenAll(tasks);

        Assert.All(scorer.RunSizes, size => Assert.True(size <= 10, $"run of {size} pairs"));
        Assert.Equal(28, scorer.RunSizes.Sum());
    }

    [Fact]
    public async Task An_idle_batcher_scores_on_the_callers_thread()
    {
        var scorer = new RecordingScorer();
        await using var batcher = new PredictionBatcher(scorer, new BatchingOptions { ConcurrentRuns = 1 });
        var scores = new float[2];

        var call = batcher.ScoreAsync(new long[] { 1, 2 }, new long[] { 3, 4 }, scores, CancellationToken.None);

        Assert.True(call.IsCompletedSuccessfully, "an idle batcher should not hand the request to a worker");
        Assert.Equal([1003f, 2004f], scores);
        await call;
    }

    [Fact]
    public async Task Disabled_batching_scores_each_request_alone()
    {
        var scorer = new RecordingScorer();
        await using var batcher = new PredictionBatcher(scorer, new BatchingOptions { Enabled = false });
        var scores = new float[3];

        await batcher.ScoreAsync(new long[] { 1, 2, 3 }, new long[] { 4, 5, 6 }, scores, CancellationToken.None);

        Assert.Equal([1004f, 2005f, 3006f], scores);
        Assert.Equal([3], scorer.RunSizes);
    }

    [Fact]
    public async Task Mismatched_lengths_are_refused()
    {
        await using var batcher = new PredictionBatcher(new RecordingScorer(), new BatchingOptions());
        Assert.Throws<ArgumentException>(() =>
        {
            _ = batcher.ScoreAsync(new long[2], new long[1], new float[2], CancellationToken.None);
        });
    }
}
