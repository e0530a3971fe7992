using System.Globalization;

namespace Recommender.Data;

/// <summary>
/// A film's year: from ml-100k's release date ("01-Jan-1995") when it has one, else from the
/// "(1995)" that ends MovieLens titles in every layout; null when neither holds a year.
/// </summary>
public static class MovieYear
{
    public static int? Parse(string? releaseDate, string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        if (!string.IsNullOrWhiteSpace(releaseDate))
        {
            var dash = releaseDate.LastIndexOf('-');
            if (dash >= 0 && TryYear(releaseDate.AsSpan(dash + 1).Trim(), out var fromDate))
            {
                return fromDate;
            }
        }

        var trimmed = title.AsSpan().TrimEnd();
        if (trimmed.Length >= 6 && trimmed[^1] == ')' && trimmed[^6] == '(' && TryYear(trimmed[^5..^1], out var fromTitle))
        {
            return fromTitle;
        }

        return null;
    }

    private static bool TryYear(ReadOnlySpan<char> text, out int year)
    {
        if (text.Length == 4 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out year) && year >= 1800)
        {
            return true;
        }

        year = 0;
        return false;
    }
}
