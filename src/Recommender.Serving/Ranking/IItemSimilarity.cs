namespace Recommender.Serving;

/// <summary>The items most similar to one item; thread-safe.</summary>
public interface IItemSimilarity
{
    /// <summary>
    /// Writes the items most similar to <paramref name="item"/>, most similar first, never the
    /// item itself nor an excluded one, with their similarity; returns how many were written.
    /// </summary>
    int Similar(int item, ReadOnlySpan<bool> excluded, Span<int> items, Span<float> scores);
}
