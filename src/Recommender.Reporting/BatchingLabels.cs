namespace Recommender.Reporting;

/// <summary>Labels of the batching comparison's cases (the bench writes them, the report matches on them).</summary>
public static class BatchingLabels
{
    public const string On = "batching on";
    public const string Off = "batching off";
}
