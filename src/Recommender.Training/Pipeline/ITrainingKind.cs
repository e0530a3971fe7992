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

    /// <summary>
    /// Work of this kind that needs only the fit and validation parts, not the models trained
    /// before it: the pipeline starts it before the first kind that does not use every core
    /// itself, so that it runs on the second core beside a single-threaded kind (not beside one
    /// whose threads wait on each other at barriers, which then spin), and hands the task to
    /// <see cref="Train"/> as <see cref="TrainingContext.EarlyWork"/>. Null (the default): none.
    /// The work must not draw from process-wide random generators outside its own locked set-up,
    /// or it would disturb the seeded kinds running beside it.
    /// </summary>
    Task<object>? StartEarly(TrainingContext context, CancellationToken cancellationToken) => null;

    /// <summary>True when this kind's training keeps every core busy (parallel SGD, ALS): early work of other kinds waits until it is done.</summary>
    bool UsesEveryCore => false;
}
