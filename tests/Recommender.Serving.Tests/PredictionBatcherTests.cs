namespace Recommender.Serving.Tests;

public sealed class PredictionBatcherTests
{
    /// <summary>Scores user * 1000 + item and records every run's size.</summary>
    private sealed class RecordingScorer : IPairScorer
    {
        private readonly Lock _gate = new();

        public List<int> RunSizes { get; } = [];

        public ManualResetEventSlim Gate { get; } = new(initialState: true);

        public ManualResetEventSlim Entered { get; } = new();

        public void Score(ReadOnlySpan<long> users, ReadOnlySpan<long> items, Span<float> scores)
        {
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

        // Hold the worker on a first request so that the next ones queue up behind it.
        scorer.Gate.Reset();
        var first = new float[1];
        var blocked = batcher.ScoreAsync(new long[] { 9 }, new long[] { 9 }, first, CancellationToken.None);
        Assert.True(scorer.Entered.Wait(TimeSpan.FromSeconds(5)), "the worker never picked up the first request");

        var outputs = Enumerable.Range(0, 20).Select(_ => new float[2]).ToArray();
        var tasks = outputs.Select((o, r) =>
            batcher.ScoreAsync(new long[] { r, r }, new long[] { 1, 2 }, o, CancellationToken.None)).ToArray();
        scorer.Gate.Set();
        await blocked;
        await Task.WhenAll(tasks);

        for (var r = 0; r < outputs.Length; r++)
        {
            Assert.Equal([(r * 1000) + 1, (r * 1000) + 2], outputs[r]);
        }

        Assert.Equal(9009f, first[0]);
        // 1 run for the blocked request, then the 20 queued requests (40 pairs) in one run.
        Assert.Equal([1, 40], scorer.RunSizes);
    }

    [Fact]
    public async Task Splits_runs_at_the_batch_limit()
    {
        var scorer = new RecordingScorer();
        await using var batcher = new PredictionBatcher(scorer, new BatchingOptions { ConcurrentRuns = 1, MaxBatchPairs = 10 });
        scorer.Gate.Reset();
        var tasks = Enumerable.Range(0, 7)
            .Select(_ => batcher.ScoreAsync(new long[4], new long[4], new float[4], CancellationToken.None)).ToArray();
        scorer.Gate.Set();
        await Task.WhenAll(tasks);

        Assert.All(scorer.RunSizes, size => Assert.True(size <= 10, $"run of {size} pairs"));
        Assert.Equal(28, scorer.RunSizes.Sum());
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
