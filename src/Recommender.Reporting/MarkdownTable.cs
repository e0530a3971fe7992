using System.Text;

namespace Recommender.Reporting;

/// <summary>Writes a GitHub-flavoured Markdown table; pipes inside cells are escaped.</summary>
internal static class MarkdownTable
{
    public static void Append(StringBuilder text, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        text.Append("| ").AppendJoin(" | ", header.Select(Escape)).AppendLine(" |");
        text.Append('|').AppendJoin("", header.Select(_ => "---|")).AppendLine();
        foreach (var row in rows)
        {
            text.Append("| ").AppendJoin(" | ", row.Select(Escape)).AppendLine(" |");
        }

        text.AppendLine();
    }

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal);
}
