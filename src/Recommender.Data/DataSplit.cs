namespace Recommender.Data;

/// <summary>Ratings divided into a training part and a held-out test part, both with external ids.</summary>
public sealed record DataSplit(RatingTable Train, RatingTable Test);
