namespace Recommender.Data;

/// <summary>
/// Decides how many ratings each synthetic user gives (heavy-tailed, as real users: most rate a
/// few dozen films, a few rate hundreds) and which items are popular (Zipf-like). Computed once,
/// sequentially, so it is deterministic; the per-user sampling that uses it runs in parallel.
/// </summary>
internal sealed class SyntheticActivity
{
    private const ulong ActivityStream = 3;
    private const ulong PopularityStream = 4;

    /// <summary>Log-normal sigma of user activity weights.</summary>
    private const double ActivitySigma = 0.9;

    /// <summary>Shifts the Zipf curve so the top few items are not absurdly dominant.</summary>
    private const double PopularityOffset = 8;

    private SyntheticActivity(int[] ratingsPerUser, double[] popularityCdf, int[] itemByRank)
    {
        RatingsPerUser = ratingsPerUser;
        PopularityCdf = popularityCdf;
        ItemByRank = itemByRank;
    }

    public int[] RatingsPerUser { get; }

    /// <summary>Cumulative popularity by rank; the last entry is the total.</summary>
    public double[] PopularityCdf { get; }

    /// <summary>The item (0-based) at each popularity rank: ranks are shuffled over ids.</summary>
    public int[] ItemByRank { get; }

    public static SyntheticActivity Create(SyntheticDatasetOptions options)
    {
        var itemByRank = new int[options.Items];
        for (var i = 0; i < itemByRank.Length; i++)
        {
            itemByRank[i] = i;
        }

        var rng = StableRandom.ForStream(options.Seed, PopularityStream, 0);
        rng.Shuffle(itemByRank.AsSpan());
        var cdf = new double[options.Items];
        double total = 0;
        for (var r = 0; r < cdf.Length; r++)
        {
            total += Math.Pow(r + 1 + PopularityOffset, -options.PopularityExponent);
            cdf[r] = total;
        }

        return new SyntheticActivity(AllocateRatings(options), cdf, itemByRank);
    }

    /// <summary>Splits the total over users: a floor each, the rest by weight, capped at the catalog size.</summary>
    private static int[] AllocateRatings(SyntheticDatasetOptions options)
    {
        var users = options.Users;
        // No user rates more than ~45% of the catalog (ML-100K's heaviest rates 44%), unless the
        // requested density forces it; validation keeps the total at most half the matrix, so
        // users x cap always exceeds the total.
        var cap = (int)Math.Min(options.Items, Math.Max(options.Items * 45L / 100, (2L * options.Ratings + users - 1) / users));
        var floor = (int)Math.Min(Math.Min(options.MinRatingsPerUser, options.Ratings / users), cap);
        var counts = new int[users];
        Array.Fill(counts, floor);
        var weights = new double[users];
        for (var u = 0; u < users; u++)
        {
            var rng = StableRandom.ForStream(options.Seed, ActivityStream, u);
            weights[u] = Math.Exp(ActivitySigma * rng.NextGaussian());
        }

        // Water-filling: share what is left by weight among users not yet at the cap; users that
        // would pass the cap are fixed there and the rest is shared again.
        long left = options.Ratings - (long)floor * users;
        var open = Enumerable.Range(0, users).ToList();
        while (left > 0 && open.Count > 0)
        {
            var weightSum = open.Sum(u => weights[u]);
            long given = 0;
            var stillOpen = new List<int>(open.Count);
            foreach (var u in open)
            {
                var share = (long)Math.Floor(left * weights[u] / weightSum);
                var add = (int)Math.Min(share, cap - counts[u]);
                counts[u] += add;
                given += add;
                if (counts[u] < cap)
                {
                    stillOpen.Add(u);
                }
            }

            left -= given;
            open = stillOpen;
            if (given == 0)
            {
                // Only rounding remainders are left: one more each to the heaviest open users.
                open = [.. open.OrderByDescending(u => weights[u]).ThenBy(u => u)];
                for (var i = 0; left > 0 && i < open.Count; i++, left--)
                {
                    counts[open[i]]++;
                }

                open = open.Where(u => counts[u] < cap).ToList();
            }
        }

        return counts;
    }

    /// <summary>An item drawn by popularity.</summary>
    public int SampleItem(ref StableRandom rng)
    {
        var target = rng.NextDouble() * PopularityCdf[^1];
        var rank = Array.BinarySearch(PopularityCdf, target);
        rank = rank >= 0 ? rank + 1 : ~rank;
        return ItemByRank[Math.Min(rank, PopularityCdf.Length - 1)];
    }
}
