namespace Recommender.Serving;

/// <summary>
/// A pair scorer whose serving path coalesces concurrent requests through a
/// <see cref="PredictionBatcher"/>; the synchronous path (offline evaluation) runs the scorer directly.
/// </summary>
public sealed class BatchedPairScorer(IPairScorer scorer, PredictionBatcher batcher) : IPairScorer
{
    public void Score(ReadOnlySpan<long> users, ReadOnlySpan<long> items, Span<float> scores) => scorer.Score(users, items, scores);

    public ValueTask ScoreAsync(ReadOnlyMemory<long> users, ReadOnlyMemory<long> items, Memory<float> scores, CancellationToken cancellationToken) =>
        new(batcher.ScoreAsync(users, items, scores, cancellationToken));
}
