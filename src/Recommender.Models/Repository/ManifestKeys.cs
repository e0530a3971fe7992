namespace Recommender.Models.Repository;

/// <summary>
/// Names of manifest hyper-parameters and metrics that the trainer writes and the server reads,
/// kept in one place so the two cannot drift apart.
/// </summary>
public static class ManifestKeys
{
    /// <summary>Hyper-parameter: the lowest rating of the dataset's scale (predictions are clipped to it).</summary>
    public const string MinRating = "rating.min";

    /// <summary>Hyper-parameter: the highest rating of the dataset's scale.</summary>
    public const string MaxRating = "rating.max";

    /// <summary>Metric: the mean training rating, answered for pairs with unknown ids under the fallback policy.</summary>
    public const string TrainingMeanRating = "train.mean_rating";
}
