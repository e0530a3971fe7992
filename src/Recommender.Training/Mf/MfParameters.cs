using Recommender.Models.Mf;

namespace Recommender.Training.Mf;

/// <summary>
/// The parameters being trained. Factor rows are stored with a padded <see cref="Stride"/> (a
/// multiple of the SIMD width for the biased kernel) so the inner loop needs no remainder code;
/// padding columns start at zero and SGD keeps them at zero (their gradient is zero).
/// Rows may be stored in an internal order (<see cref="UserRows"/>, <see cref="ItemRows"/>: external
/// index → internal row) chosen by the block grid for cache locality; the model handed out is
/// always in external order.
/// </summary>
internal sealed class MfParameters
{
    private MfParameters(int userCount, int itemCount, int factors, int stride, bool biased, float globalMean, int[]? userRows, int[]? itemRows)
    {
        UserRows = userRows;
        ItemRows = itemRows;
        UserCount = userCount;
        ItemCount = itemCount;
        Factors = factors;
        Stride = stride;
        UserFactors = new float[(long)userCount * stride];
        ItemFactors = new float[(long)itemCount * stride];
        UserBias = biased ? new float[userCount] : null;
        ItemBias = biased ? new float[itemCount] : null;
        GlobalMean = globalMean;
    }

    public int UserCount { get; }

    public int ItemCount { get; }

    public int Factors { get; }

    public int Stride { get; }

    public float[] UserFactors { get; }

    public float[] ItemFactors { get; }

    public float[]? UserBias { get; }

    public float[]? ItemBias { get; }

    public float GlobalMean { get; }

    /// <summary>Internal row of each user; null when rows are in external order.</summary>
    public int[]? UserRows { get; }

    /// <summary>Internal row of each item; null when rows are in external order.</summary>
    public int[]? ItemRows { get; }

    public static int StrideFor(int factors, bool padded)
    {
        if (!padded)
        {
            return factors;
        }

        const int width = 8; // Vector256<float>.Count: the kernel's unit.
        return (factors + width - 1) / width * width;
    }

    /// <summary>
    /// Normal(0, std) factors; biases start at zero (as in Surprise). Rows are filled in chunks,
    /// each from its own sampler seeded by (seed, matrix, chunk): reproducible for a seed whatever
    /// the core count, and parallel, since at millions of rows sampling is a visible part of a run.
    /// </summary>
    public static MfParameters CreateRandom(int userCount, int itemCount, int factors, int stride, bool biased, float globalMean, float std, int seed, int[]? userRows = null, int[]? itemRows = null)
    {
        var parameters = new MfParameters(userCount, itemCount, factors, stride, biased, globalMean, userRows, itemRows);
        Fill(parameters.UserFactors, userCount, factors, stride, std, SeedMixer.Mix(seed, 1));
        Fill(parameters.ItemFactors, itemCount, factors, stride, std, SeedMixer.Mix(seed, 2));
        return parameters;
    }

    /// <summary>Starts from given unpadded row-major factors (and zero biases): lets tests hand-check single steps.</summary>
    public static MfParameters FromFactors(int userCount, int itemCount, int factors, int stride, bool biased, float globalMean, float[] userFactors, float[] itemFactors, int[]? userRows = null, int[]? itemRows = null)
    {
        if (userFactors.Length != (long)userCount * factors || itemFactors.Length != (long)itemCount * factors)
        {
            throw new ArgumentException("Initial factors must be userCount x k and itemCount x k.");
        }

        var parameters = new MfParameters(userCount, itemCount, factors, stride, biased, globalMean, userRows, itemRows);
        for (var u = 0; u < userCount; u++)
        {
            userFactors.AsSpan(u * factors, factors).CopyTo(parameters.UserFactors.AsSpan(parameters.UserRow(u) * stride));
        }

        for (var i = 0; i < itemCount; i++)
        {
            itemFactors.AsSpan(i * factors, factors).CopyTo(parameters.ItemFactors.AsSpan(parameters.ItemRow(i) * stride));
        }

        return parameters;
    }

    /// <summary>An empty set of the same shape, to hold snapshots of the best epoch.</summary>
    public MfParameters CreateLike() =>
        new(UserCount, ItemCount, Factors, Stride, UserBias is not null, GlobalMean, UserRows, ItemRows);

    public int UserRow(int user) => UserRows is null ? user : UserRows[user];

    public int ItemRow(int item) => ItemRows is null ? item : ItemRows[item];

    /// <summary>Ratings as packed entries over internal rows, for evaluation.</summary>
    public RatingEntry[] ToEntries(Data.IndexedRatings ratings)
    {
        var entries = new RatingEntry[ratings.Count];
        for (var n = 0; n < entries.Length; n++)
        {
            entries[n] = new RatingEntry(UserRow(ratings.Users[n]), ItemRow(ratings.Items[n]), ratings.Values[n]);
        }

        return entries;
    }

    public void CopyTo(MfParameters target)
    {
        UserFactors.AsSpan().CopyTo(target.UserFactors);
        ItemFactors.AsSpan().CopyTo(target.ItemFactors);
        UserBias?.AsSpan().CopyTo(target.UserBias);
        ItemBias?.AsSpan().CopyTo(target.ItemBias);
    }

    /// <summary>Copies out into the model's unpadded layout, so later training cannot alter a published model.</summary>
    public MfModel ToModel(float minRating, float maxRating)
    {
        var users = new float[(long)UserCount * Factors];
        var items = new float[(long)ItemCount * Factors];
        var userBias = UserBias is null ? null : new float[UserCount];
        var itemBias = ItemBias is null ? null : new float[ItemCount];
        for (var u = 0; u < UserCount; u++)
        {
            var row = UserRow(u);
            UserFactors.AsSpan(row * Stride, Factors).CopyTo(users.AsSpan(u * Factors));
            userBias?[u] = UserBias![row];
        }

        for (var i = 0; i < ItemCount; i++)
        {
            var row = ItemRow(i);
            ItemFactors.AsSpan(row * Stride, Factors).CopyTo(items.AsSpan(i * Factors));
            itemBias?[i] = ItemBias![row];
        }

        var biases = userBias is null || itemBias is null ? null : new MfBiases(GlobalMean, userBias, itemBias);
        return new MfModel(UserCount, ItemCount, Factors, users, items, biases, minRating, maxRating);
    }

    /// <summary>
    /// The model, built from these arrays themselves where the layout allows (no padding): rows are
    /// put back in user and item order in place, so the factors exist once, not twice, at the end
    /// of training (56 MB at 160 k users, 60 k items, k = 64). Copies (<see cref="ToModel"/>)
    /// otherwise. These parameters must not be used afterwards.
    /// </summary>
    public MfModel TakeModel(float minRating, float maxRating)
    {
        if (Stride != Factors)
        {
            return ToModel(minRating, maxRating);
        }

        if (UserRows is { } userRows)
        {
            GatherRowsInPlace(UserFactors, Factors, userRows);
        }

        if (ItemRows is { } itemRows)
        {
            GatherRowsInPlace(ItemFactors, Factors, itemRows);
        }

        MfBiases? biases = null;
        if (UserBias is { } userBias && ItemBias is { } itemBias)
        {
            biases = new MfBiases(
                GlobalMean,
                [.. Enumerable.Range(0, UserCount).Select(u => userBias[UserRow(u)])],
                [.. Enumerable.Range(0, ItemCount).Select(i => itemBias[ItemRow(i)])]);
        }

        return new MfModel(UserCount, ItemCount, Factors, UserFactors, ItemFactors, biases, minRating, maxRating);
    }

    /// <summary>
    /// Rearranges <paramref name="rows"/> so that row n becomes what row <paramref name="source"/>[n]
    /// was, following the permutation's cycles with one row of scratch.
    /// </summary>
    internal static void GatherRowsInPlace(float[] rows, int width, int[] source)
    {
        var done = new bool[source.Length];
        var scratch = new float[width];
        for (var start = 0; start < source.Length; start++)
        {
            if (done[start] || source[start] == start)
            {
                done[start] = true;
                continue;
            }

            rows.AsSpan(start * width, width).CopyTo(scratch);
            var at = start;
            while (true)
            {
                done[at] = true;
                var from = source[at];
                if (from == start)
                {
                    scratch.CopyTo(rows.AsSpan(at * width, width));
                    break;
                }

                rows.AsSpan(from * width, width).CopyTo(rows.AsSpan(at * width, width));
                at = from;
            }
        }
    }

    private static void Fill(float[] rows, int count, int factors, int stride, float std, int matrixSeed)
    {
        const int rowsPerChunk = 1024;
        var chunks = (count + rowsPerChunk - 1) / rowsPerChunk;
        Parallel.For(0, chunks, chunk =>
        {
            var sampler = new GaussianSampler(SeedMixer.Mix(matrixSeed, chunk));
            var end = Math.Min(count, (chunk + 1) * rowsPerChunk);
            for (var r = chunk * rowsPerChunk; r < end; r++)
            {
                var row = rows.AsSpan(r * stride, factors);
                for (var f = 0; f < row.Length; f++)
                {
                    row[f] = sampler.Next(std);
                }
            }
        });
    }
}
