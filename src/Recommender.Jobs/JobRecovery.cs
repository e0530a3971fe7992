using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Models.Repository;

namespace Recommender.Jobs;

/// <summary>
/// Settles what an earlier process left behind, when the host starts (hosted services start before
/// the gRPC server listens, so no call sees the job system half-recovered). A job that was queued
/// or running when its process died can never finish: it is marked failed, unless it had already
/// committed its version, which is then recorded as published. Staging leftovers of an interrupted
/// publish and synthetic datasets of dead jobs are deleted (this process is the repository's only
/// publisher). The settled records are then handed to <see cref="TrainingJobManager"/>.
/// Runs here rather than in the manager's constructor, so resolving the manager does no I/O and a
/// failure stops the start with the host's error instead of surfacing in the first call.
/// </summary>
public sealed partial class JobRecovery(
    TrainingJobManager manager,
    JobStore store,
    ModelRepository repository,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<JobRecovery> logger) : IHostedService
{
    public const string InterruptedReason = "interrupted by a restart";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var settled = new List<JobRecord>();
        foreach (var record in store.LoadAll())
        {
            settled.Add(Settle(record, now));
        }

        manager.Restore(settled);

        var removed = repository.CleanStaleStaging(TimeSpan.Zero);
        if (removed > 0)
        {
            LogStagingRemoved(logger, removed);
        }

        var datasets = Path.Combine(options.Value.ResolvedJobsPath, "datasets");
        if (Directory.Exists(datasets))
        {
            Directory.Delete(datasets, recursive: true);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private JobRecord Settle(JobRecord record, DateTimeOffset now)
    {
        if (record.State.IsTerminal())
        {
            return record;
        }

        JobRecord settled;
        if (PublishedBeforeCrash(record) is { } version)
        {
            // Died between the commit (atomic rename) and the record update: the version is whole.
            settled = record with
            {
                State = JobState.Succeeded,
                FinishedAt = now,
                PublishedVersion = version,
                Events = [.. record.Events, new JobEvent(JobEventKind.Published, now) { Version = version }],
            };
            LogRecoveredPublish(logger, record.Id, version);
        }
        else
        {
            settled = record with
            {
                State = JobState.Failed,
                FinishedAt = now,
                Error = InterruptedReason,
                Events = [.. record.Events, new JobEvent(JobEventKind.Failed, now) { Reason = InterruptedReason }],
            };
            LogInterrupted(logger, record.Id, record.State);
        }

        store.Save(settled);
        return settled;
    }

    /// <summary>
    /// The version an interrupted job committed, if it got that far: the job was exporting and the
    /// model's latest version was created after the export began. Sound because this process is the
    /// repository's only publisher and runs one job at a time.
    /// </summary>
    private long? PublishedBeforeCrash(JobRecord record)
    {
        var exporting = record.Events.LastOrDefault(e => e.Kind == JobEventKind.Exporting);
        if (exporting is null || record.State != JobState.Running || repository.LatestVersion(record.Request.ModelName) is not { } latest)
        {
            return null;
        }

        try
        {
            return repository.ReadManifest(record.Request.ModelName, latest).CreatedAt >= exporting.At ? latest : null;
        }
        catch (Exception ex) when (ex is Models.ArtifactFormatException or IOException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} was {State} when the previous process stopped; marked failed")]
    private static partial void LogInterrupted(ILogger logger, string jobId, JobState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} was interrupted after publishing version {Version}; marked succeeded")]
    private static partial void LogRecoveredPublish(ILogger logger, string jobId, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} staging folders left by an interrupted publish")]
    private static partial void LogStagingRemoved(ILogger logger, int count);
}
