namespace Recommender.Data;

/// <summary>
/// Top-k metrics averaged over the users that have at least one relevant held-out item
/// (<see cref="UsersEvaluated"/>); <see cref="CatalogCoverage"/> is over all recommended lists.
/// </summary>
public sealed record RankingReport(
    int K,
    int UsersEvaluated,
    double PrecisionAtK,
    double RecallAtK,
    double NdcgAtK,
    double MapAtK,
    double CatalogCoverage);
