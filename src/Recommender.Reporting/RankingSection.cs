using System.Globalization;
using System.Text;

namespace Recommender.Reporting;

/// <summary>
/// The report's ranking table: every kind's held-out top-10 metrics beside the popularity chart on
/// the same split, under both relevance protocols, so a kind below popularity shows at once.
/// </summary>
internal static class RankingSection
{
    private static readonly string[] Measures = ["precision", "recall", "ndcg", "map", "catalog_coverage"];

    public static void Append(StringBuilder text, IReadOnlyDictionary<string, double> metrics)
    {
        var kinds = metrics.Keys
            .Where(k => k.EndsWith(".precision_at_10", StringComparison.Ordinal))
            .Select(k => k[..k.IndexOf('.', StringComparison.Ordinal)])
            .OrderBy(k => k == "popularity" ? 1 : 0).ThenBy(k => k, StringComparer.Ordinal)
            .ToArray();
        if (kinds.Length == 0)
        {
            return;
        }

        text.AppendLine("## Ranking beside popularity").AppendLine();
        foreach (var (suffix, protocol) in new[] { ("", "relevant = held-out rating ≥ 4"), ("_all", "every held-out item relevant") })
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Top 10, training items excluded, {protocol}:").AppendLine();
            MarkdownTable.Append(text, ["ranker", "P@10", "R@10", "NDCG@10", "MAP@10", "coverage"],
                kinds.Select(kind => (IReadOnlyList<string>)[kind == "popularity" ? "popularity (same list for everyone)" : kind,
                    .. Measures.Select(m => metrics.TryGetValue($"{kind}.{m}_at_10{suffix}", out var v) ? v.ToString("F4", CultureInfo.InvariantCulture) : "—")]));
        }
    }
}
