namespace Recommender.Reporting;

/// <summary>Latency percentiles of one benchmark case, in microseconds.</summary>
public sealed record LatencySummary(double P50Us, double P90Us, double P99Us, double MeanUs, double MaxUs)
{
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0);

    /// <summary>
    /// Summarises latencies given in microseconds. Percentiles use the nearest-rank definition
    /// (the smallest sample with at least p% of the samples at or below it): every reported value
    /// is a latency that was really observed, never an interpolation between two.
    /// </summary>
    public static LatencySummary FromMicroseconds(IReadOnlyCollection<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return Empty;
        }

        var sorted = samples.ToArray();
        Array.Sort(sorted);
        return new LatencySummary(
            NearestRank(sorted, 50), NearestRank(sorted, 90), NearestRank(sorted, 99), sorted.Average(), sorted[^1]);
    }

    /// <summary>Nearest-rank percentile of ascending <paramref name="sorted"/> samples.</summary>
    public static double NearestRank(ReadOnlySpan<double> sorted, double percent)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("No samples.", nameof(sorted));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
