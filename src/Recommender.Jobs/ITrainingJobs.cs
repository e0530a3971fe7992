namespace Recommender.Jobs;

/// <summary>
/// What a front end (the trainer's gRPC service) may do with training jobs. Failures are domain
/// exceptions: <see cref="InvalidJobRequestException"/> (naming the field), <see cref="JobQueueFullException"/>,
/// <see cref="JobNotFoundException"/>.
/// </summary>
public interface ITrainingJobs
{
    /// <summary>Validates the request, fills its defaults and queues the job; returns its first record.</summary>
    JobRecord Submit(JobRequest request);

    JobRecord Get(string jobId);

    /// <summary>Most recent first; 0 means the configured page size, which also caps larger limits.</summary>
    IReadOnlyList<JobRecord> List(int limit);

    /// <summary>Cancels a queued job at once, or asks a running one to stop; returns the record after the request.</summary>
    JobRecord Cancel(string jobId);

    /// <summary>
    /// The job's events from its first, then live ones until it ends or the caller stops. An unknown
    /// id throws when this is called, before anything is enumerated.
    /// </summary>
    IAsyncEnumerable<JobEvent> Watch(string jobId, CancellationToken cancellationToken = default);
}
