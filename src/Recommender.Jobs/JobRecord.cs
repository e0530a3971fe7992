namespace Recommender.Jobs;

/// <summary>An immutable snapshot of a job: what is persisted, listed and returned.</summary>
public sealed record JobRecord(
    string Id,
    JobState State,
    JobRequest Request,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    long? PublishedVersion,
    string? Error,
    IReadOnlyList<JobEvent> Events);
