namespace Recommender.Data;

/// <summary>
/// The "most popular items" ranker: every user gets the same list, items ordered by how many
/// training interactions they have. The floor any personal ranker must clear, computed on the same
/// split; its <see cref="Scorer"/> plugs into <see cref="HeldOutEvaluator"/> like a model's (the
/// scores are counts, so only its ranking numbers mean anything).
/// </summary>
public sealed class PopularityBaseline
{
    private readonly float[] counts;

    private PopularityBaseline(float[] counts)
    {
        this.counts = counts;
    }

    /// <summary>Training interactions per dense item index.</summary>
    public ReadOnlySpan<float> Counts => counts;

    public int ItemCount => counts.Length;

    /// <summary>Scores a pair by its item's training count, whatever the user.</summary>
    public PairScorer Scorer => Score;

    /// <summary>
    /// Counts the interactions of every item in <paramref name="train"/>: every rating, or only
    /// those at or above <paramref name="minRating"/> when given.
    /// </summary>
    public static PopularityBaseline Fit(IndexedRatings train, float? minRating = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var counts = new float[train.ItemCount];
        for (var n = 0; n < train.Count; n++)
        {
            var item = train.Items[n];
            if ((uint)item >= (uint)counts.Length)
            {
                throw new ArgumentException($"Rating {n} has item {item}; indices must be below {counts.Length}.", nameof(train));
            }

            if (minRating is not { } threshold || train.Values[n] >= threshold)
            {
                counts[item]++;
            }
        }

        return new PopularityBaseline(counts);
    }

    public void Score(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> scores)
    {
        if (users.Length != items.Length || scores.Length < items.Length)
        {
            throw new ArgumentException($"{users.Length} users, {items.Length} items and {scores.Length} scores do not line up.", nameof(scores));
        }

        for (var n = 0; n < items.Length; n++)
        {
            var item = items[n];
            scores[n] = (uint)item < (uint)counts.Length
                ? counts[item]
                : throw new ArgumentOutOfRangeException(nameof(items), item, $"Item index {item} is outside the {counts.Length} items counted.");
        }
    }
}
