using System.Globalization;
using System.Text;

namespace Recommender.Data;

/// <summary>
/// Writes the small ml-100k side files for a synthetic dataset (u.item, u.user, u.info), so the
/// folder loads like the real one and serving can show titles.
/// </summary>
internal static class SyntheticCatalogWriter
{
    private const ulong CatalogStream = 5;
    private const ulong UserProfileStream = 6;

    private static readonly string[] Occupations =
    [
        "administrator", "artist", "doctor", "educator", "engineer", "entertainment", "executive",
        "healthcare", "homemaker", "lawyer", "librarian", "marketing", "none", "other", "programmer",
        "retired", "salesman", "scientist", "student", "technician", "writer",
    ];

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public static void WriteItems(string path, SyntheticDatasetOptions options)
    {
        var genreCount = MovieLens100KReader.GenreNames.Count;
        var sb = new StringBuilder(options.Items * 64);
        var flags = new bool[genreCount];
        for (var i = 0; i < options.Items; i++)
        {
            var rng = StableRandom.ForStream(options.Seed, CatalogStream, i);
            var year = 1930 + rng.NextInt(69);
            var date = string.Create(CultureInfo.InvariantCulture, $"{1 + rng.NextInt(28):00}-{Months[rng.NextInt(12)]}-{year}");
            sb.Append(CultureInfo.InvariantCulture, $"{i + 1}|Synthetic Movie {i + 1} ({year})|{date}||");

            // One to three genres, never "unknown" (index 0), which real data uses for missing info.
            Array.Clear(flags);
            var genres = 1 + rng.NextInt(3);
            for (var g = 0; g < genres; g++)
            {
                flags[1 + rng.NextInt(genreCount - 1)] = true;
            }

            foreach (var flag in flags)
            {
                sb.Append(flag ? "|1" : "|0");
            }

            sb.Append('\n');
        }

        File.WriteAllText(path, sb.ToString(), Encoding.Latin1);
    }

    public static void WriteUsers(string path, SyntheticDatasetOptions options)
    {
        var sb = new StringBuilder(options.Users * 32);
        for (var u = 0; u < options.Users; u++)
        {
            var rng = StableRandom.ForStream(options.Seed, UserProfileStream, u);
            var age = 15 + rng.NextInt(55);
            var gender = rng.NextInt(100) < 71 ? "M" : "F";
            var occupation = Occupations[rng.NextInt(Occupations.Length)];
            sb.Append(CultureInfo.InvariantCulture, $"{u + 1}|{age}|{gender}|{occupation}|{rng.NextInt(100_000):00000}\n");
        }

        File.WriteAllText(path, sb.ToString(), Encoding.Latin1);
    }

    public static void WriteInfo(string path, SyntheticDatasetOptions options) =>
        File.WriteAllText(
            path,
            string.Create(CultureInfo.InvariantCulture, $"{options.Users} users\n{options.Items} items\n{options.Ratings} ratings\n"),
            Encoding.ASCII);
}
