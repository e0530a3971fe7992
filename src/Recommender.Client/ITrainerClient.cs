using Recommender.Contracts.V1;

namespace Recommender.Client;

/// <summary>
/// The trainer service. Returns the proto messages: jobs and versions are descriptive records already,
/// and <see cref="StartTrainingAsync"/> takes the request message because its many optional
/// hyper-parameters are what the message models. Mutating calls carry
/// <see cref="RecommenderClientOptions.Token"/> and are never retried (a retried StartTraining could
/// queue the job twice); reads are retried on UNAVAILABLE.
/// </summary>
public interface ITrainerClient
{
    /// <summary>Queues a job (mutating: sends the token, not retried).</summary>
    Task<TrainingJob> StartTrainingAsync(StartTrainingRequest request, CancellationToken cancellationToken = default);

    /// <summary>Cancels a queued or running job (mutating: sends the token, not retried).</summary>
    Task<TrainingJob> CancelTrainingAsync(string jobId, CancellationToken cancellationToken = default);

    Task<TrainingJob> GetTrainingJobAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Most recent first; 0: the server's default page size.</summary>
    Task<IReadOnlyList<TrainingJob>> ListTrainingJobsAsync(int limit = 0, CancellationToken cancellationToken = default);

    /// <summary>Published versions; empty name: every model.</summary>
    Task<IReadOnlyList<ModelVersion>> ListModelVersionsAsync(string? modelName = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// A job's events from the start until it ends. No default deadline (a job runs for minutes or hours):
    /// cancel through <paramref name="cancellationToken"/>.
    /// </summary>
    IAsyncEnumerable<WatchTrainingResponse> WatchTrainingAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// A published version as the trainer streams it: its manifest, manifest.json, then every file in
    /// chunks (0: the latest version). No default deadline (a version can be large): cancel, or bound
    /// it, through <paramref name="cancellationToken"/>. Retried on UNAVAILABLE until the first message arrives.
    /// </summary>
    IAsyncEnumerable<DownloadModelVersionResponse> DownloadModelVersionAsync(string modelName, long version,
        CancellationToken cancellationToken = default);
}
