using Recommender.Training.Pipeline;

namespace Recommender.Jobs;

/// <summary>Turns the pipeline's progress reports into job events (called on the training thread).</summary>
internal sealed class JobProgress(TrainingJob job, TimeProvider time) : IProgress<TrainingEvent>
{
    public void Report(TrainingEvent value)
    {
        switch (value)
        {
            case EpochFinished e:
                job.Append(new JobEvent(JobEventKind.Epoch, time.GetUtcNow())
                {
                    Model = e.Model,
                    Epoch = e.Epoch,
                    Epochs = e.Epochs,
                    TrainLoss = e.TrainLoss,
                    ValidationRmse = e.ValidationRmse,
                    ValidationMae = e.ValidationMae,
                    Seconds = e.Seconds,
                });
                break;
            case Exporting:
                job.Append(new JobEvent(JobEventKind.Exporting, time.GetUtcNow()));
                break;
            default:
                // DatasetPrepared has no event in the contract; the runner logs the job's progress instead.
                break;
        }
    }
}
