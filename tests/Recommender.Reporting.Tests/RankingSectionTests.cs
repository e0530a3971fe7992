using System.Text;

namespace Recommender.Reporting.Tests;

public sealed class RankingSectionTests
{
    [Fact]
    public void Every_kind_with_ranking_metrics_is_shown_beside_popularity_under_both_protocols()
    {
        var metrics = new Dictionary<string, double>
        {
            ["mf.rmse"] = 0.91,
            ["mf.precision_at_10"] = 0.125,
            ["implicit.precision_at_10"] = 0.4,
            ["implicit.ndcg_at_10"] = 0.478,
            ["implicit.precision_at_10_all"] = 0.5085,
            ["popularity.precision_at_10"] = 0.2136,
            ["popularity.precision_at_10_all"] = 0.3048,
        };
        var text = new StringBuilder();

        RankingSection.Append(text, metrics);

        var report = text.ToString();
        Assert.Contains("## Ranking beside popularity", report, StringComparison.Ordinal);
        Assert.Contains("| implicit | 0.4000 | — | 0.4780 | — | — |", report, StringComparison.Ordinal);
        Assert.Contains("| mf | 0.1250 | — | — | — | — |", report, StringComparison.Ordinal);
        Assert.Contains("| implicit | 0.5085 |", report, StringComparison.Ordinal);
        Assert.Contains("| popularity (same list for everyone) | 0.3048 |", report, StringComparison.Ordinal);
        // Popularity is the last row of each table, after the kinds.
        Assert.True(report.IndexOf("| popularity", StringComparison.Ordinal) > report.IndexOf("| mf |", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_without_ranking_metrics_gets_no_section()
    {
        var text = new StringBuilder();
        RankingSection.Append(text, new Dictionary<string, double> { ["mf.rmse"] = 0.9 });
        Assert.Equal("", text.ToString());
    }
}
