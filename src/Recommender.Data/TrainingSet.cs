namespace Recommender.Data;

/// <summary>
/// A split made ready for training: id maps built from the training part only (a model can only
/// have parameters for users and items it has seen), the indexed training ratings, the test
/// ratings the model can score (<see cref="TestKnown"/>), and the test ratings whose user or item
/// never appears in training (<see cref="TestCold"/>). Cold pairs are kept and counted, never
/// dropped, so that evaluation can score them with a fallback and report how many there were.
/// </summary>
public sealed class TrainingSet
{
    private TrainingSet(IdMap users, IdMap items, IndexedRatings train, IndexedRatings testKnown, RatingTable testCold, RatingTable testKnownRaw)
    {
        UserMap = users;
        ItemMap = items;
        Train = train;
        TestKnown = testKnown;
        TestCold = testCold;
        TestKnownRatings = testKnownRaw;
    }

    /// <summary>Users of the training part, in order of first appearance (as the notebook's unique()).</summary>
    public IdMap UserMap { get; }

    public IdMap ItemMap { get; }

    public IndexedRatings Train { get; }

    /// <summary>Test ratings whose user and item are both in training, indexed with the training maps.</summary>
    public IndexedRatings TestKnown { get; }

    /// <summary>The same rows as <see cref="TestKnown"/> with external ids and timestamps.</summary>
    public RatingTable TestKnownRatings { get; }

    /// <summary>Test ratings with a user or item unseen in training.</summary>
    public RatingTable TestCold { get; }

    public int TestCount => TestKnown.Count + TestCold.Count;

    public static TrainingSet Build(DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        var users = IdMap.FromFirstAppearance(split.Train.UserIds);
        var items = IdMap.FromFirstAppearance(split.Train.ItemIds);
        return Build(split, users, items, trainCovered: true, inPlace: false);
    }

    /// <summary>
    /// As <see cref="Build(DataSplit)"/>, but the training part's id columns become the indexed
    /// columns (<see cref="IndexedRatings.FromInPlace"/>): <paramref name="split"/>'s training table
    /// holds dense indices afterwards, not external ids. For a caller that owns the split and has
    /// taken what it needs of the external ids (the training pipeline, after the fingerprint).
    /// </summary>
    public static TrainingSet BuildConsuming(DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        var users = IdMap.FromFirstAppearance(split.Train.UserIds);
        var items = IdMap.FromFirstAppearance(split.Train.ItemIds);
        return Build(split, users, items, trainCovered: true, inPlace: true);
    }

    /// <summary>
    /// Indexes a split with the id maps of an already trained model (to evaluate it). Training rows
    /// outside the maps are left out of <see cref="Train"/>: they only serve to exclude seen items
    /// from rankings, and the model cannot rank such users or items anyway.
    /// </summary>
    public static TrainingSet Build(DataSplit split, IdMap users, IdMap items)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        return Build(split, users, items, trainCovered: false, inPlace: false);
    }

    /// <param name="trainCovered">The maps were built from the training part, so every training row is in them.</param>
    /// <param name="inPlace">Index the training table's own id columns (only with <paramref name="trainCovered"/>).</param>
    private static TrainingSet Build(DataSplit split, IdMap users, IdMap items, bool trainCovered, bool inPlace)
    {
        // Training rows are only filtered (and copied) when some fall outside the maps: the common
        // cases, maps built from this training part or from the same data, index it in place.
        var outside = 0;
        for (var r = 0; !trainCovered && r < split.Train.Count; r++)
        {
            if (!users.TryGetIndex(split.Train.UserIds[r], out _) || !items.TryGetIndex(split.Train.ItemIds[r], out _))
            {
                outside++;
            }
        }

        // The test part is classified first: with a split of no test rows its table may share the
        // training table's arrays, which in-place indexing overwrites.
        var test = split.Test;
        var known = new List<int>(test.Count);
        var coldRows = new List<int>();
        for (var r = 0; r < test.Count; r++)
        {
            var isKnown = users.TryGetIndex(test.UserIds[r], out _) && items.TryGetIndex(test.ItemIds[r], out _);
            (isKnown ? known : coldRows).Add(r);
        }

        var knownRatings = test.Select(known.ToArray());
        var cold = test.Select(coldRows.ToArray());
        var train = outside == 0
            ? (inPlace && trainCovered ? IndexedRatings.FromInPlace(split.Train, users, items) : IndexedRatings.From(split.Train, users, items))
            : IndexedRatings.From(split.Train.Select(InsideRows(split.Train, users, items, outside)), users, items);
        return new TrainingSet(
            users,
            items,
            train,
            IndexedRatings.From(knownRatings, users, items),
            cold,
            knownRatings);
    }

    private static int[] InsideRows(RatingTable ratings, IdMap users, IdMap items, int outside)
    {
        var rows = new int[ratings.Count - outside];
        var n = 0;
        for (var r = 0; r < ratings.Count; r++)
        {
            if (users.TryGetIndex(ratings.UserIds[r], out _) && items.TryGetIndex(ratings.ItemIds[r], out _))
            {
                rows[n++] = r;
            }
        }

        return rows;
    }
}
