using System.Globalization;

namespace Recommender.Cli.Commands.Bench;

/// <summary>The 1-minute load average (Linux /proc/loadavg): client and server share the cores, so it is part of every result.</summary>
internal static class BenchLoad
{
    /// <summary>The 1-minute load average, or -1 where the system does not expose it.</summary>
    public static double OneMinute()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
        {
            return -1;
        }
    }
}
