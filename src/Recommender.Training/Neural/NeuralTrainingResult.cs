using Recommender.Models.Neural;

namespace Recommender.Training.Neural;

/// <summary>What one epoch of neural training measured.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">The number of epochs asked for.</param>
/// <param name="TrainMse">Mean of the per-batch MSE losses over the epoch (weighted by batch size).</param>
/// <param name="ValidationRmse">RMSE on the validation data after the epoch; null without validation data.</param>
/// <param name="ValidationMae">MAE on the validation data after the epoch; null without validation data.</param>
/// <param name="IsBest">True when this epoch has the best validation RMSE so far (always true without validation data).</param>
/// <param name="Duration">Wall time of the epoch, evaluation included.</param>
public sealed record NeuralEpochReport(
    int Epoch,
    int Epochs,
    double TrainMse,
    double? ValidationRmse,
    double? ValidationMae,
    bool IsBest,
    TimeSpan Duration);

/// <summary>The outcome of <see cref="NeuralTrainer.Train"/>.</summary>
/// <param name="Weights">The trained weights (those of <paramref name="WeightsEpoch"/>).</param>
/// <param name="Epochs">One report per epoch run.</param>
/// <param name="BestEpoch">1-based epoch with the lowest validation RMSE (the last epoch without validation data).</param>
/// <param name="WeightsEpoch">1-based epoch whose weights <paramref name="Weights"/> holds: the best one with early stopping, the last one otherwise.</param>
/// <param name="StoppedEarly">True when early stopping ended training before the last epoch.</param>
/// <param name="Elapsed">Wall time of the whole training.</param>
public sealed record NeuralTrainingResult(
    NeuralWeights Weights,
    IReadOnlyList<NeuralEpochReport> Epochs,
    int BestEpoch,
    int WeightsEpoch,
    bool StoppedEarly,
    TimeSpan Elapsed)
{
    /// <summary>The report of <see cref="WeightsEpoch"/>: the metrics of the returned weights.</summary>
    public NeuralEpochReport FinalReport => Epochs[WeightsEpoch - 1];
}
