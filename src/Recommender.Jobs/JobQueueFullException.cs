namespace Recommender.Jobs;

/// <summary>The queue holds its configured number of waiting jobs; the caller should retry later.</summary>
public sealed class JobQueueFullException(int capacity)
    : Exception($"The training queue is full ({capacity} jobs waiting); retry after a job finishes.")
{
    public int Capacity { get; } = capacity;
}
