namespace Recommender.Training.Pipeline;

/// <summary>What a training run reports as it goes (the CLI prints these; the trainer service streams them).</summary>
public abstract record TrainingEvent;

/// <summary>The dataset is loaded and split.</summary>
public sealed record DatasetPrepared(string Name, int Ratings, int TrainRatings, int TestRatings, int Users, int Items, double Seconds) : TrainingEvent;

/// <summary>One epoch of one model finished.</summary>
/// <param name="Model">The kind: "mf", "neural", "implicit".</param>
/// <param name="TrainLoss">Training loss after the epoch (MSE for rating models, the weighted ALS objective for implicit).</param>
public sealed record EpochFinished(string Model, int Epoch, int Epochs, double TrainLoss, double? ValidationRmse, double? ValidationMae, double Seconds) : TrainingEvent
{
    /// <summary>Ranking models: validation precision@10 after the epoch (rating models report RMSE instead).</summary>
    public double? ValidationPrecisionAt10 { get; init; }

    /// <summary>Ranking models: validation NDCG@10 after the epoch.</summary>
    public double? ValidationNdcgAt10 { get; init; }
}

/// <summary>Training is done; artifacts are being written and verified.</summary>
public sealed record Exporting : TrainingEvent;
