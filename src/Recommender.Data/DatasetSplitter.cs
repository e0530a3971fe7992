namespace Recommender.Data;

/// <summary>
/// Applies a <see cref="SplitSpec"/> to a dataset. Both parts keep the ratings' file order, so a
/// split is a pure function of (dataset, spec, seed): the same inputs give the same parts.
/// </summary>
public static class DatasetSplitter
{
    private const ulong SplitStream = 11;

    public static DataSplit Split(Dataset dataset, SplitSpec spec, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(spec);
        var ratings = dataset.Ratings;
        return spec.Kind switch
        {
            SplitKind.None => new DataSplit(ratings, ratings.Select([])),
            SplitKind.Random => RandomSplit(ratings, spec.TestFraction, seed),
            SplitKind.Official => OfficialSplit(dataset.Folder, spec.OfficialName!, cancellationToken),
            SplitKind.LastK => LastKSplit(ratings, spec.LastK),
            _ => throw new ArgumentException($"Unsupported split kind {spec.Kind}.", nameof(spec)),
        };
    }

    /// <summary>Holds out round(fraction x count) ratings chosen by a seeded shuffle.</summary>
    private static DataSplit RandomSplit(RatingTable ratings, double fraction, int seed)
    {
        var order = new int[ratings.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var rng = StableRandom.ForStream(seed, SplitStream, 0);
        rng.Shuffle(order.AsSpan());
        var testCount = (int)Math.Round(fraction * ratings.Count, MidpointRounding.AwayFromZero);
        var isTest = new bool[ratings.Count];
        foreach (var row in order.AsSpan(0, testCount))
        {
            isTest[row] = true;
        }

        return Partition(ratings, isTest);
    }

    /// <summary>Each user's last k ratings (by timestamp, ties by file order) go to test; users with k or fewer keep all.</summary>
    private static DataSplit LastKSplit(RatingTable ratings, int k)
    {
        // Counting sort of rows by user (stable, so each user's rows stay in file order), then a
        // (timestamp, row) sort within users that have more than k: linear apart from the small
        // per-user sorts, where one comparison sort of all rows would take seconds at 25 M.
        var users = IdMap.FromFirstAppearance(ratings.UserIds);
        var userIndex = new int[ratings.Count];
        var starts = new int[users.Count + 1];
        for (var r = 0; r < ratings.Count; r++)
        {
            users.TryGetIndex(ratings.UserIds[r], out userIndex[r]);
            starts[userIndex[r] + 1]++;
        }

        for (var u = 0; u < users.Count; u++)
        {
            starts[u + 1] += starts[u];
        }

        var next = (int[])starts.Clone();
        var byUser = new (long Time, int Row)[ratings.Count];
        for (var r = 0; r < ratings.Count; r++)
        {
            byUser[next[userIndex[r]]++] = (ratings.Timestamps[r], r);
        }

        var isTest = new bool[ratings.Count];
        for (var u = 0; u < users.Count; u++)
        {
            var rows = byUser.AsSpan(starts[u], starts[u + 1] - starts[u]);
            if (rows.Length > k)
            {
                rows.Sort();
                foreach (var (_, row) in rows[^k..])
                {
                    isTest[row] = true;
                }
            }
        }

        return Partition(ratings, isTest);
    }

    private static DataSplit OfficialSplit(string folder, string name, CancellationToken cancellationToken)
    {
        var trainPath = Path.Combine(folder, name + ".base");
        var testPath = Path.Combine(folder, name + ".test");
        foreach (var path in new[] { trainPath, testPath })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"Split \"{name}\" needs {path}, which does not exist; the official split files ship with ml-100k only. Use random:0.2 or last:5 for other datasets.",
                    path);
            }
        }

        return new DataSplit(
            MovieLens100KReader.ReadRatings(trainPath, cancellationToken),
            MovieLens100KReader.ReadRatings(testPath, cancellationToken));
    }

    private static DataSplit Partition(RatingTable ratings, bool[] isTest)
    {
        var testCount = 0;
        foreach (var t in isTest)
        {
            testCount += t ? 1 : 0;
        }

        var train = new int[ratings.Count - testCount];
        var test = new int[testCount];
        int a = 0, b = 0;
        for (var r = 0; r < isTest.Length; r++)
        {
            if (isTest[r])
            {
                test[b++] = r;
            }
            else
            {
                train[a++] = r;
            }
        }

        return new DataSplit(ratings.Select(train), ratings.Select(test));
    }
}
