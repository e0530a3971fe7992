namespace Recommender.Data;

/// <summary>
/// What <see cref="SyntheticDatasetGenerator"/> wrote. <see cref="NoiseFloorRmse"/> is the RMSE
/// between the planted continuous scores (clipped to [1, 5], as served predictions are) and the
/// written integer ratings: the error a model that recovered the planted model exactly would
/// have, so a trained model's RMSE can be judged against it.
/// </summary>
public sealed record SyntheticDatasetSummary(
    string Folder,
    int Users,
    int Items,
    int Ratings,
    long Seed,
    double MeanRating,
    double NoiseFloorRmse,
    IReadOnlyList<long> RatingCounts,
    TimeSpan Elapsed)
{
    /// <summary>How many ratings of <paramref name="stars"/> (1-5) were written.</summary>
    public long CountOf(int stars) => RatingCounts[stars - 1];
}
