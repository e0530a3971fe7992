namespace Recommender.Serving;

/// <summary>Scores (user, item) pairs given as dense indices; thread-safe.</summary>
public interface IPairScorer
{
    /// <summary>Writes the raw (unclipped) score of pair i to <paramref name="scores"/>[i].</summary>
    void Score(ReadOnlySpan<long> users, ReadOnlySpan<long> items, Span<float> scores);
}
