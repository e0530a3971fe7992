namespace Recommender.Jobs;

public sealed class JobNotFoundException(string jobId) : Exception($"No training job '{jobId}'.")
{
    public string JobId { get; } = jobId;
}
