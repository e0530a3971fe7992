namespace Recommender.Serving;

/// <summary>
/// Scores (user, item) pairs given as dense indices; thread-safe. What a kind serves PredictRatings
/// with (and what offline evaluation calls synchronously).
/// </summary>
public interface IPairScorer
{
    /// <summary>Writes the raw (unclipped) score of pair i to <paramref name="scores"/>[i], on the calling thread.</summary>
    void Score(ReadOnlySpan<long> users, ReadOnlySpan<long> items, Span<float> scores);

    /// <summary>
    /// The serving path: the same scores, possibly coalesced with concurrent requests (the neural
    /// kind batches); by default a synchronous <see cref="Score"/>.
    /// </summary>
    ValueTask ScoreAsync(ReadOnlyMemory<long> users, ReadOnlyMemory<long> items, Memory<float> scores, CancellationToken cancellationToken)
    {
        Score(users.Span, items.Span, scores.Span);
        return ValueTask.CompletedTask;
    }
}
