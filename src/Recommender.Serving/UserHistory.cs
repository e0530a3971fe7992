namespace Recommender.Serving;

/// <summary>
/// A Recommend request's history mapped to dense item indices: validated (length limit, ratings
/// column, finite ratings), unknown ids rejected or dropped by the request's policy, duplicates
/// removed (the last rating wins).
/// </summary>
internal sealed class UserHistory
{
    private UserHistory(int[] items, float[] ratings)
    {
        Items = items;
        Ratings = ratings;
    }

    public int[] Items { get; }

    /// <summary>Same length as <see cref="Items"/>, or empty when the request gave no ratings.</summary>
    public float[] Ratings { get; }

    public static UserHistory Map(ServableModel model, RecommendationQuery query, int maxItems)
    {
        var ids = query.HistoryItemIds;
        var ratings = query.HistoryRatings;
        if (ids.Count > maxItems)
        {
            throw new InvalidRequestException("history_item_ids", $"{ids.Count} items exceed the limit of {maxItems}");
        }

        if (ratings.Count != 0 && ratings.Count != ids.Count)
        {
            throw new InvalidRequestException("history_ratings", $"has {ratings.Count} values but history_item_ids has {ids.Count}; give one rating per item or none");
        }

        if (ratings.Any(r => !float.IsFinite(r)))
        {
            throw new InvalidRequestException("history_ratings", "every rating must be a finite number");
        }

        var byItem = new Dictionary<int, float>();
        var unknown = new List<long>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (RecommendationEngine.TryItem(model, ids[i], out var item))
            {
                byItem[item] = ratings.Count == 0 ? 0f : ratings[i];
            }
            else
            {
                unknown.Add(ids[i]);
            }
        }

        if (unknown.Count > 0 && query.UnknownHistoryIds == UnknownIdHandling.Reject)
        {
            throw new UnknownIdsException("history_item_ids", [.. unknown.Distinct()]);
        }

        var items = byItem.Keys.Order().ToArray();
        return new UserHistory(items, ratings.Count == 0 ? [] : [.. items.Select(i => byItem[i])]);
    }

    /// <summary>
    /// The history plus a known user's training items (which the version holds without their
    /// ratings, so a history with ratings loses them when the user is known: every item then
    /// counts as one interaction).
    /// </summary>
    public ReadOnlySpan<int> WithSeen(ReadOnlySpan<int> seen, out ReadOnlySpan<float> ratings)
    {
        if (seen.IsEmpty)
        {
            ratings = Ratings;
            return Items;
        }

        ratings = [];
        var merged = new SortedSet<int>(Items);
        foreach (var item in seen)
        {
            merged.Add(item);
        }

        return merged.ToArray();
    }
}
