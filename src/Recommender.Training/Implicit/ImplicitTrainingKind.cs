using Recommender.Training.Pipeline;

namespace Recommender.Training.Implicit;

/// <summary>
/// The implicit kind's training side: weighted ALS on the training ratings as interactions, with
/// validation precision/NDCG@10 per epoch. Its scores are not ratings, so it is evaluated by
/// ranking only (the pipeline ranks it through <see cref="TrainedModel.HeldOutScorer"/>).
/// </summary>
public sealed class ImplicitTrainingKind : ITrainingKind
{
    public bool UsesEveryCore => true;

    public string Name => "implicit";

    public bool IsRequested(TrainingRequest request) => request?.Implicit is not null;

    public TrainedModel Train(TrainingContext context, IProgress<TrainingEvent>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Request.Implicit ?? throw new ArgumentException("The request has no implicit options.", nameof(context));
        var result = ImplicitTrainer.Train(context.Fit, context.Validation, options,
            new CallbackProgress<ImplicitEpochReport>(e => progress?.Report(new EpochFinished(Name, e.Epoch, options.Epochs, e.Loss, null, null, e.Seconds)
            {
                ValidationPrecisionAt10 = e.ValidationPrecisionAt10,
                ValidationNdcgAt10 = e.ValidationNdcgAt10,
            })),
            cancellationToken);
        return new ImplicitTrainedModel(options, result);
    }
}
