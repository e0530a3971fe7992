using System.Globalization;

namespace Recommender.Reporting;

/// <summary>Human-readable latencies and rates, shared by the bench's table and the report.</summary>
public static class Units
{
    /// <summary>A latency in µs below 1 ms (one decimal below 10 µs, where in-process calls land), in ms from 1 ms.</summary>
    public static string Duration(double microseconds) => microseconds switch
    {
        < 10 => microseconds.ToString("F1", CultureInfo.InvariantCulture) + " µs",
        < 1000 => microseconds.ToString("F0", CultureInfo.InvariantCulture) + " µs",
        _ => (microseconds / 1000).ToString("F2", CultureInfo.InvariantCulture) + " ms",
    };

    /// <summary>A rate with k/M suffixes.</summary>
    public static string Rate(double perSecond) => perSecond switch
    {
        >= 1e6 => (perSecond / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " M",
        >= 1e4 => (perSecond / 1e3).ToString("F1", CultureInfo.InvariantCulture) + " k",
        _ => perSecond.ToString("F0", CultureInfo.InvariantCulture),
    };
}
