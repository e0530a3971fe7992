namespace Recommender.Data;

/// <summary>
/// Scores held-out pairs whose user or item never appeared in training, by external id: writes a
/// prediction for each pair it can score and leaves the others as they are (the caller fills them
/// with its fallback first).
/// </summary>
public delegate void ColdPairScorer(RatingTable cold, Span<float> predictions);

/// <summary>
/// The index space of a model that has rows beyond its training id maps: for users and items
/// with no training rating but side information (a profile, a catalog entry), a model may have
/// feature-only rows at <c>warm.Count + k</c>, where k is the id's index in the cold map.
/// </summary>
public static class ColdIndex
{
    /// <summary>The id's index in <paramref name="warm"/>, else <c>warm.Count</c> + its index in <paramref name="cold"/>.</summary>
    public static bool TryGet(IdMap warm, IdMap cold, int externalId, out int index)
    {
        ArgumentNullException.ThrowIfNull(warm);
        ArgumentNullException.ThrowIfNull(cold);
        if (warm.TryGetIndex(externalId, out index))
        {
            return true;
        }

        if (cold.TryGetIndex(externalId, out var k))
        {
            index = warm.Count + k;
            return true;
        }

        index = -1;
        return false;
    }

    /// <summary>
    /// A cold-pair scorer over <paramref name="scorer"/>, which takes indices of the extended space:
    /// pairs whose user and item both resolve (warm or cold) are scored, the rest left alone.
    /// </summary>
    public static ColdPairScorer Scorer(PairScorer scorer, IdMap users, IdMap items, IdMap coldUsers, IdMap coldItems)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(coldUsers);
        ArgumentNullException.ThrowIfNull(coldItems);
        return (cold, predictions) =>
        {
            var rows = new List<int>(cold.Count);
            var u = new List<int>(cold.Count);
            var i = new List<int>(cold.Count);
            for (var r = 0; r < cold.Count; r++)
            {
                if (TryGet(users, coldUsers, cold.UserIds[r], out var user) && TryGet(items, coldItems, cold.ItemIds[r], out var item))
                {
                    rows.Add(r);
                    u.Add(user);
                    i.Add(item);
                }
            }

            var scores = new float[rows.Count];
            scorer([.. u], [.. i], scores);
            for (var k = 0; k < rows.Count; k++)
            {
                predictions[rows[k]] = scores[k];
            }
        };
    }
}
