using System.Globalization;
using System.Text;

namespace Recommender.Reporting;

/// <summary>
/// The catalog-size sweep (issue 14): Recommend top-N latency against catalog size, per model kind
/// and concurrency, from one bench run per catalog. Writes a Markdown table and one plot.
/// </summary>
public static class CatalogSweepReport
{
    public const string MarkdownFileName = "catalog-sweep.md";
    public const string PlotFileName = "catalog-sweep.png";

    /// <summary>Writes the table and the plot into <paramref name="directory"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string directory, IReadOnlyList<BenchRun> runs, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0)
        {
            throw new ArgumentException("The sweep needs at least one bench run.", nameof(runs));
        }

        Directory.CreateDirectory(directory);
        var ordered = runs.OrderBy(r => r.Model.Items).ToArray();
        var rows = Rows(ordered);
        var text = new StringBuilder();
        text.AppendLine("# Recommend latency against catalog size").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Generated {generatedAt:yyyy-MM-dd HH:mm} UTC from {ordered.Length} bench runs (`recommender bench --operation recommend`), one per catalog.")
            .AppendLine();
        MarkdownTable.Append(text, ["items", "users", "kind", "concurrency", "p50", "p99", "QPS", "load (1 min) at end"],
            rows.Select(r => (IReadOnlyList<string>)
            [
                r.Items.ToString("N0", CultureInfo.InvariantCulture), r.Users.ToString("N0", CultureInfo.InvariantCulture), r.Kind,
                r.Concurrency.ToString(CultureInfo.InvariantCulture), Units.Duration(r.P50Us), Units.Duration(r.P99Us), Units.Rate(r.Qps),
                r.Load.ToString("F2", CultureInfo.InvariantCulture),
            ]));
        text.AppendLine(CultureInfo.InvariantCulture, $"![Recommend p50 and p99 against catalog size]({PlotFileName})");
        var markdown = Path.Combine(directory, MarkdownFileName);
        File.WriteAllText(markdown, text.ToString());

        var sizes = ordered.Select(r => r.Model.Items).Distinct().ToArray();
        var series = rows.GroupBy(r => (r.Kind, r.Concurrency))
            .OrderBy(g => g.Key.Kind, StringComparer.Ordinal).ThenBy(g => g.Key.Concurrency)
            .SelectMany(g => new (string, IReadOnlyList<double?>)[]
            {
                ($"{g.Key.Kind} c={g.Key.Concurrency} p50", sizes.Select(s => g.FirstOrDefault(r => r.Items == s)?.P50Us / 1000).ToArray()),
                ($"{g.Key.Kind} c={g.Key.Concurrency} p99", sizes.Select(s => g.FirstOrDefault(r => r.Items == s)?.P99Us / 1000).ToArray()),
            })
            .ToArray();
        var plot = Path.Combine(directory, PlotFileName);
        ReportPlots.AgainstCategories(plot, "Recommend top-10 latency against catalog size", "catalog items", "latency (ms)",
            [.. sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture))], series);
        return [markdown, plot];
    }

    /// <summary>One row per served Recommend case of each run.</summary>
    public static IReadOnlyList<SweepRow> Rows(IEnumerable<BenchRun> runs) =>
    [
        .. runs.SelectMany(run => run.Cases
            .Where(c => c.Operation == "recommend" && c.Latency.P50Us > 0)
            .Select(c => new SweepRow(run.Model.Items, run.Model.Users, c.Model, c.Concurrency, c.Latency.P50Us, c.Latency.P99Us, c.Qps, c.LoadAverage))),
    ];
}

/// <summary>One sweep point: a kind at a concurrency on a catalog.</summary>
public sealed record SweepRow(int Items, int Users, string Kind, int Concurrency, double P50Us, double P99Us, double Qps, double Load);
