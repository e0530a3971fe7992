using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Models.Repository;
using Recommender.Training.Pipeline;

namespace Recommender.Jobs;

/// <summary>
/// The one consumer of the job queue: runs each job to its end (published, failed or cancelled)
/// before taking the next. Training runs on a dedicated thread (it is synchronous and long), with
/// one cancellation that a client's cancel, the job duration limit and shutdown all trigger; the
/// pipeline then deletes its draft, so a job that does not succeed publishes nothing.
/// </summary>
public sealed partial class TrainingJobRunner(
    TrainingJobManager manager,
    JobRequestValidator validator,
    DatasetResolver datasets,
    ModelRepository repository,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<TrainingJobRunner> logger) : BackgroundService
{
    /// <summary>Seed of the train/test split (the contract has no field for it; the CLI's default).</summary>
    public const int SplitSeed = 42;

    private readonly JobOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var job in manager.Queue.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            if (!manager.BeginRun(job))
            {
                continue;
            }

            try
            {
                await RunAsync(job, stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                manager.EndRun();
            }
        }
    }

    private async Task RunAsync(TrainingJob job, CancellationToken stoppingToken)
    {
        var started = time.GetUtcNow();
        if (!job.Append(new JobEvent(JobEventKind.Started, started), r => r with { State = JobState.Running, StartedAt = started }))
        {
            return;
        }

        LogStarted(logger, job.Id);
        using var timeout = new CancellationTokenSource(_options.MaxJobDuration, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(job.CancellationToken, stoppingToken, timeout.Token);
        ResolvedDataset? dataset = null;
        try
        {
            var request = job.Snapshot.Request;
            // Validated again: the folder may have changed (or become a link) since the job was queued.
            var validated = validator.Validate(request);
            dataset = await datasets.ResolveAsync(job.Id, request.Dataset, linked.Token).ConfigureAwait(false);
            var training = new TrainingRequest(validated.ModelName, dataset.Folder, validated.Split, SplitSeed, validated.Mf, validated.Neural)
            {
                Implicit = validated.Implicit,
                Blend = validated.Blend,
                ValidationFraction = validated.ValidationFraction,
            };
            var progress = new ModelBudgetGuard(new JobProgress(job, time), validated, _options.MaxModelBytes);
            var outcome = await Task.Factory.StartNew(
                () => TrainingPipeline.Run(training, repository, progress, linked.Token),
                linked.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            var finished = time.GetUtcNow();
            var version = outcome.Manifest.Version;
            job.Append(new JobEvent(JobEventKind.Published, finished) { Version = version },
                r => r with { State = JobState.Succeeded, FinishedAt = finished, PublishedVersion = version });
            LogPublished(logger, job.Id, validated.ModelName, version, (finished - started).TotalSeconds);
        }
        catch (Exception ex) when (job.CancelRequested)
        {
            var finished = time.GetUtcNow();
            job.Append(new JobEvent(JobEventKind.Cancelled, finished), r => r with { State = JobState.Cancelled, FinishedAt = finished });
            LogCancelled(logger, job.Id, ex.GetType().Name);
        }
        catch (Exception ex)
        {
            var reason = ex switch
            {
                OperationCanceledException when stoppingToken.IsCancellationRequested => "the trainer shut down during the job",
                OperationCanceledException when timeout.IsCancellationRequested => $"exceeded the maximum job duration of {_options.MaxJobDuration}",
                InvalidJobRequestException => ex.Message,
                _ => $"{ex.GetType().Name}: {ex.Message}",
            };
            var finished = time.GetUtcNow();
            job.Append(new JobEvent(JobEventKind.Failed, finished) { Reason = reason },
                r => r with { State = JobState.Failed, FinishedAt = finished, Error = reason });
            LogFailed(logger, ex, job.Id, reason);
        }
        finally
        {
            if (dataset is not null)
            {
                DatasetResolver.Delete(dataset);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        manager.CompleteQueue();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} started")]
    private static partial void LogStarted(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} published {ModelName} version {Version} after {Seconds:F1} s")]
    private static partial void LogPublished(ILogger logger, string jobId, string modelName, long version, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} cancelled ({Exception})")]
    private static partial void LogCancelled(ILogger logger, string jobId, string exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string jobId, string reason);
}
