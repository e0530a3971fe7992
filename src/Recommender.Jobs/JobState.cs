namespace Recommender.Jobs;

/// <summary>Where a job is in its life: queued → running → succeeded | failed | cancelled.</summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public static class JobStateExtensions
{
    /// <summary>True for the three end states, after which a job never changes again.</summary>
    public static bool IsTerminal(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}
