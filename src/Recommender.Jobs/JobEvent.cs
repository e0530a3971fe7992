namespace Recommender.Jobs;

public enum JobEventKind
{
    Queued,
    Started,
    Epoch,
    Exporting,
    Published,
    Failed,
    Cancelled,
}

/// <summary>
/// One entry of a job's history, as streamed by WatchTraining and kept in the job record. Flat
/// (fields used by a kind, others null) so the record stays plain JSON.
/// </summary>
public sealed record JobEvent(JobEventKind Kind, DateTimeOffset At)
{
    /// <summary>Queued: jobs ahead of this one (running or queued) when it was queued.</summary>
    public int? Position { get; init; }

    /// <summary>Epoch: "mf" or "neural".</summary>
    public string? Model { get; init; }

    public int? Epoch { get; init; }

    public int? Epochs { get; init; }

    public double? TrainLoss { get; init; }

    public double? ValidationRmse { get; init; }

    public double? ValidationMae { get; init; }

    public double? Seconds { get; init; }

    /// <summary>Published: the version number.</summary>
    public long? Version { get; init; }

    /// <summary>Failed: why.</summary>
    public string? Reason { get; init; }
}
