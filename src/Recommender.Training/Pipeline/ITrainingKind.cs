namespace Recommender.Training.Pipeline;

/// <summary>
/// One model kind's training side: whether a request asks for it, and how it trains, evaluates
/// and (through the returned <see cref="TrainedModel"/>) writes itself into a version.
/// </summary>
public interface ITrainingKind
{
    /// <summary>The kind's name as the manifest, metrics and progress events spell it ("mf", "neural").</summary>
    string Name { get; }

    bool IsRequested(TrainingRequest request);

    TrainedModel Train(TrainingContext context, IProgress<TrainingEvent>? progress, CancellationToken cancellationToken);
}
