using Recommender.Models.Mf;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Mf;

/// <summary>The MF kind's training side: parallel SGD on the training ratings, validation RMSE per epoch (early stopping on it when asked).</summary>
public sealed class MfTrainingKind : ITrainingKind
{
    public bool UsesEveryCore => true;

    public string Name => "mf";

    public bool IsRequested(TrainingRequest request) => request?.Mf is not null;

    public TrainedModel Train(TrainingContext context, IProgress<TrainingEvent>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var requested = context.Request.Mf ?? throw new ArgumentException("The request has no MF options.", nameof(context));
        // Thinned to the model-size bound for this data (Bayesian); the manifest records what ran.
        var options = requested.ForData(context.Fit.UserCount, context.Fit.ItemCount);
        var result = MfTrainer.Train(context.Fit, context.Validation, options with { MinRating = context.MinRating, MaxRating = context.MaxRating },
            new CallbackProgress<MfEpochReport>(e => progress?.Report(new EpochFinished(Name, e.Epoch, options.Epochs, e.TrainMse, e.ValidationRmse, e.ValidationMae, e.Seconds))),
            cancellationToken);
        var model = result.Model;
        var evaluation = context.Evaluate((u, i, s) => Score(model, u, i, s), cancellationToken);
        var chosenOn = options.EarlyStoppingPatience > 0 ? context.EpochChosenOn : TrainedModel.LastEpoch;
        return new MfTrainedModel(options, result, evaluation) { EpochChosenOn = chosenOn };
    }

    private static void Score(MfModel model, ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> scores)
    {
        for (var i = 0; i < users.Length; i++)
        {
            scores[i] = model.RawScore(users[i], items[i]);
        }
    }
}
