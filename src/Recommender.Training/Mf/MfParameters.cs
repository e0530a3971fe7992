using Recommender.Models.Mf;

namespace Recommender.Training.Mf;

/// <summary>
/// The parameters being trained. Factor rows are stored with a padded <see cref="Stride"/> (a
/// multiple of the SIMD width for the biased kernel) so the inner loop needs no remainder code;
/// padding columns start at zero and SGD keeps them at zero (their gradient is zero).
/// </summary>
internal sealed class MfParameters
{
    private MfParameters(int userCount, int itemCount, int factors, int stride, bool biased, float globalMean)
    {
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

    public static int StrideFor(int factors, bool padded)
    {
        if (!padded)
        {
            return factors;
        }

        const int width = 8; // Vector256<float>.Count: the kernel's unit.
        return (factors + width - 1) / width * width;
    }

    /// <summary>Normal(0, std) factors, P rows first then Q rows, from one seeded sampler; biases start at zero (as in Surprise).</summary>
    public static MfParameters CreateRandom(int userCount, int itemCount, int factors, int stride, bool biased, float globalMean, float std, int seed)
    {
        var parameters = new MfParameters(userCount, itemCount, factors, stride, biased, globalMean);
        var sampler = new GaussianSampler(seed);
        Fill(parameters.UserFactors, userCount, factors, stride, sampler, std);
        Fill(parameters.ItemFactors, itemCount, factors, stride, sampler, std);
        return parameters;
    }

    /// <summary>Starts from given unpadded row-major factors (and zero biases): lets tests hand-check single steps.</summary>
    public static MfParameters FromFactors(int userCount, int itemCount, int factors, int stride, bool biased, float globalMean, float[] userFactors, float[] itemFactors)
    {
        if (userFactors.Length != (long)userCount * factors || itemFactors.Length != (long)itemCount * factors)
        {
            throw new ArgumentException("Initial factors must be userCount x k and itemCount x k.");
        }

        var parameters = new MfParameters(userCount, itemCount, factors, stride, biased, globalMean);
        CopyRows(userFactors, factors, parameters.UserFactors, stride, userCount);
        CopyRows(itemFactors, factors, parameters.ItemFactors, stride, itemCount);
        return parameters;
    }

    /// <summary>An empty set of the same shape, to hold snapshots of the best epoch.</summary>
    public MfParameters CreateLike() =>
        new(UserCount, ItemCount, Factors, Stride, UserBias is not null, GlobalMean);

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
        CopyRows(UserFactors, Stride, users, Factors, UserCount, Factors);
        CopyRows(ItemFactors, Stride, items, Factors, ItemCount, Factors);
        var biases = UserBias is null || ItemBias is null
            ? null
            : new MfBiases(GlobalMean, (float[])UserBias.Clone(), (float[])ItemBias.Clone());
        return new MfModel(UserCount, ItemCount, Factors, users, items, biases, minRating, maxRating);
    }

    private static void Fill(float[] rows, int count, int factors, int stride, GaussianSampler sampler, float std)
    {
        for (var r = 0; r < count; r++)
        {
            var row = rows.AsSpan(r * stride, factors);
            for (var f = 0; f < row.Length; f++)
            {
                row[f] = sampler.Next(std);
            }
        }
    }

    private static void CopyRows(float[] source, int sourceStride, float[] target, int targetStride, int rows) =>
        CopyRows(source, sourceStride, target, targetStride, rows, Math.Min(sourceStride, targetStride));

    private static void CopyRows(float[] source, int sourceStride, float[] target, int targetStride, int rows, int width)
    {
        for (var r = 0; r < rows; r++)
        {
            source.AsSpan(r * sourceStride, width).CopyTo(target.AsSpan(r * targetStride, width));
        }
    }
}
