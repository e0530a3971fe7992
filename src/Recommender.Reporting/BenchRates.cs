namespace Recommender.Reporting;

/// <summary>Rates of a measured window, guarded against an empty window.</summary>
public static class BenchRates
{
    public static double PerSecond(double count, double seconds) => seconds > 0 ? count / seconds : 0;
}
