namespace Recommender.Serving;

/// <summary>
/// Ranks the catalog for a user described only by a history of items (a user the model has
/// never seen, or a known user's newer items): the kind folds the history into a user
/// representation against its fixed item side, then ranks as <see cref="IRanker"/> does.
/// </summary>
public interface IHistoryRanker
{
    /// <param name="history">Dense item indices the user interacted with (at least one).</param>
    /// <param name="ratings">The history's ratings, same length, or empty when there are none.</param>
    int Rank(ReadOnlySpan<int> history, ReadOnlySpan<float> ratings, ReadOnlySpan<bool> excluded, int excludedCount, Span<int> items, Span<float> scores);
}
