namespace Recommender.Data;

/// <summary>
/// Size and shape of a synthetic dataset. Defaults are ML-100K's size, so a synthetic set can
/// stand in for the notebook's data wherever the real one is not available (CI, offline).
/// </summary>
public sealed record SyntheticDatasetOptions
{
    public int Users { get; init; } = 943;

    public int Items { get; init; } = 1682;

    public int Ratings { get; init; } = 100_000;

    public long Seed { get; init; } = 42;

    /// <summary>Rank of the planted user/item factors.</summary>
    public int Factors { get; init; } = 10;

    /// <summary>Standard deviation of the Gaussian noise added before rounding.</summary>
    public double NoiseStdDev { get; init; } = 0.6;

    /// <summary>Zipf exponent of item popularity: 0 is uniform, about 1 is MovieLens-like.</summary>
    public double PopularityExponent { get; init; } = 1.0;

    /// <summary>Every user gets at least this many ratings where the total allows (ML-100K: 20).</summary>
    public int MinRatingsPerUser { get; init; } = 20;

    /// <summary>Earliest timestamp (Unix seconds); default 1997-09-20, where ML-100K starts.</summary>
    public long StartTimestamp { get; init; } = 874_724_710;

    /// <summary>Span over which users arrive and rate; default about seven months, as ML-100K.</summary>
    public long TimeSpanSeconds { get; init; } = 18_000_000;

    /// <summary>Worker threads; null for all cores. The output does not depend on it.</summary>
    public int? DegreeOfParallelism { get; init; }

    internal void Validate()
    {
        if (Users <= 0 || Items <= 0 || Ratings <= 0)
        {
            throw new ArgumentException($"Users ({Users}), Items ({Items}) and Ratings ({Ratings}) must be positive.");
        }

        // Above half the matrix, sampling distinct pairs by popularity degenerates; no real
        // rating matrix is that dense anyway.
        if (Ratings > (long)Users * Items / 2)
        {
            throw new ArgumentException($"Ratings ({Ratings}) must be at most half of Users x Items ({(long)Users * Items}).");
        }

        if (Factors <= 0 || NoiseStdDev < 0 || PopularityExponent < 0 || MinRatingsPerUser < 0 || TimeSpanSeconds <= 0)
        {
            throw new ArgumentException("Factors and TimeSpanSeconds must be positive; NoiseStdDev, PopularityExponent and MinRatingsPerUser must not be negative.");
        }

        if (DegreeOfParallelism is <= 0)
        {
            throw new ArgumentException($"DegreeOfParallelism ({DegreeOfParallelism}) must be positive.");
        }
    }
}
