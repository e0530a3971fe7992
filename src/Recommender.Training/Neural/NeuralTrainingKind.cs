using Recommender.Data;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Neural;

/// <summary>The neural kind's training side: the embedding + MLP network in TorchSharp, evaluated with TorchSharp.</summary>
public sealed class NeuralTrainingKind : ITrainingKind
{
    public string Name => "neural";

    public bool IsRequested(TrainingRequest request) => request?.Neural is not null;

    public TrainedModel Train(TrainingContext context, IProgress<TrainingEvent>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var requested = context.Request.Neural ?? throw new ArgumentException("The request has no neural options.", nameof(context));
        // One network on large data (see EnsembleMaxRatings); the manifest records what ran.
        var options = requested.ForData(context.Fit.Count);
        // With the rows of profiled users and catalog items that have no training rating, which the
        // export appends to the tables (trained from nothing of theirs: the training is unchanged).
        var features = options.SideFeatures ? NeuralSideFeatures.From(context.Dataset, context.Set.UserMap, context.Set.ItemMap, withCold: true) : null;
        var members = new List<NeuralTrainingResult>(options.Ensemble);
        for (var m = 0; m < options.Ensemble; m++)
        {
            // Member 0 is the single network's training exactly; the others differ only by seed.
            members.Add(NeuralTrainer.Train(context.Fit, context.Validation, options with { Seed = options.Seed + m },
                new CallbackProgress<NeuralEpochReport>(e => progress?.Report(new EpochFinished(Name, e.Epoch, e.Epochs, e.TrainMse, e.ValidationRmse, e.ValidationMae, e.Duration.TotalSeconds))),
                cancellationToken,
                features is { Any: true } ? features : null));
        }

        var result = members[0];
        var scorer = NeuralTrainedModel.ScorerFor([.. members.Select(r => r.Weights)]);
        var cold = features is { Any: true } && features.ColdUsers.Count + features.ColdItems.Count > 0 ? features : null;
        var coldScorer = cold is null ? null : ColdIndex.Scorer(scorer, context.Set.UserMap, context.Set.ItemMap, cold.ColdUsers, cold.ColdItems);
        // The average's own validation error (a member's is in its epochs): what chooses the ensemble size.
        double? ensembleValidation = members.Count > 1 && context.Validation is { Count: > 0 } validation ? Rmse(scorer, validation) : null;
        var evaluation = context.Evaluate(scorer, cancellationToken, coldScorer);
        var chosenOn = options.EarlyStoppingPatience is not null ? context.EpochChosenOn : TrainedModel.LastEpoch;
        return new NeuralTrainedModel(options, result, evaluation)
        {
            EpochChosenOn = chosenOn,
            SideFeatureColumns = features is { Any: true } ? features.UserColumns + features.ItemColumns : 0,
            ColdUsers = cold?.ColdUsers,
            ColdItems = cold?.ColdItems,
            ColdScorer = coldScorer,
            Members = members,
            EnsembleValidationRmse = ensembleValidation,
        };
    }

    private static double Rmse(PairScorer scorer, IndexedRatings ratings)
    {
        var scores = new float[ratings.Count];
        scorer(ratings.Users, ratings.Items, scores);
        return RatingMetrics.Rmse(ratings.Values, scores);
    }
}
