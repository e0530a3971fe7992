namespace Recommender.Training.Implicit;

/// <summary>What one epoch (an item half-step, then a user half-step) achieved.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">
/// The weighted ALS objective after the epoch: Σ_observed c·(p·q − 1)² + α0·Σ_unobserved (p·q)²
/// + Σ λ_row‖row‖². With the Cholesky solver every half-step minimizes it exactly, so it never rises.
/// </param>
/// <param name="ValidationPrecisionAt10">
/// Mean precision@10 over the sampled validation users (items rated in training excluded, relevant =
/// validation rating at or above the relevance threshold); null without validation data or when
/// ranking is switched off.
/// </param>
/// <param name="ValidationNdcgAt10">Mean NDCG@10 over the same users; null as above.</param>
/// <param name="ValidationUsers">Users ranked for the two numbers above (at most the configured sample).</param>
/// <param name="Seconds">Wall time of the whole epoch: both half-steps, the loss and the validation ranking.</param>
/// <param name="SolveSeconds">Wall time of the two half-steps alone (row solves, the two Gramians and the users' loss terms).</param>
public sealed record ImplicitEpochReport(
    int Epoch,
    double Loss,
    double? ValidationPrecisionAt10,
    double? ValidationNdcgAt10,
    int ValidationUsers,
    double Seconds,
    double SolveSeconds);
