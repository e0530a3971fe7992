using Recommender.Training.Pipeline;

namespace Recommender.Jobs;

/// <summary>
/// Checks the model memory budget once the pipeline knows how many users and items the training
/// set has, before any model is built: a folder or MovieLens dataset's size is not in the request,
/// so <see cref="JobRequestValidator"/> can check only synthetic ones at submission. Over the
/// budget, the report throws and the job fails with the message naming the budget. Every report
/// is passed on to <paramref name="inner"/>.
/// </summary>
internal sealed class ModelBudgetGuard(IProgress<TrainingEvent> inner, ValidatedJob job, long budget) : IProgress<TrainingEvent>
{
    public void Report(TrainingEvent value)
    {
        if (value is DatasetPrepared prepared)
        {
            ModelMemoryEstimate.Of(prepared.Users, prepared.Items, job).CheckWithin(budget, prepared.Users, prepared.Items);
        }

        inner.Report(value);
    }
}
