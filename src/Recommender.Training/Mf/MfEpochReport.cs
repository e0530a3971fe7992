namespace Recommender.Training.Mf;

/// <summary>What one training epoch achieved; reported through the progress callback and kept in the result.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="LearningRate">The step size this epoch used (after decay).</param>
/// <param name="TrainMse">
/// Mean squared error over the training ratings after the epoch, with predictions clipped to the
/// rating range: the number the seed notebook prints.
/// </param>
/// <param name="ValidationRmse">RMSE over the validation ratings (clipped predictions); null without validation data.</param>
/// <param name="ValidationMae">MAE over the validation ratings (clipped predictions); null without validation data.</param>
/// <param name="Seconds">Wall time of the whole epoch: SGD plus the evaluations above.</param>
/// <param name="UpdatesPerSecond">Rating updates per second of the SGD phase alone.</param>
public sealed record MfEpochReport(
    int Epoch,
    float LearningRate,
    double TrainMse,
    double? ValidationRmse,
    double? ValidationMae,
    double Seconds,
    double UpdatesPerSecond);
