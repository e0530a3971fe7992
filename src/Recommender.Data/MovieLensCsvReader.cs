using System.Globalization;

namespace Recommender.Data;

/// <summary>
/// ml-latest-small / ml-25m: ratings.csv (userId,movieId,rating,timestamp) and movies.csv
/// (movieId,title,genres), both with a header; titles with commas are quoted.
/// </summary>
internal static class MovieLensCsvReader
{
    public const string RatingsFile = "ratings.csv";
    public const string MoviesFile = "movies.csv";
    public const string RatingsHeader = "userId,movieId,rating,timestamp";
    public const string MoviesHeader = "movieId,title,genres";

    /// <summary>MovieLens's marker for a movie without genres.</summary>
    private const string NoGenres = "(no genres listed)";

    public static Dataset Read(string folder, string name, CancellationToken cancellationToken)
    {
        var ratings = RatingsFileReader.Read(Path.Combine(folder, RatingsFile), ","u8, RatingsHeader, cancellationToken);
        var movies = ReadMovies(Path.Combine(folder, MoviesFile));
        return new Dataset(name, DatasetFormat.MovieLensCsv, folder, ratings, movies, []);
    }

    public static List<Movie> ReadMovies(string path)
    {
        var lines = TextFileLines.ReadDetectingEncoding(path);
        if (lines.Count == 0 || lines[0].Number != 1 || lines[0].Text != MoviesHeader)
        {
            throw new DatasetFormatException(path, 1, $"expected the header \"{MoviesHeader}\"");
        }

        var movies = new List<Movie>(lines.Count - 1);
        for (var l = 1; l < lines.Count; l++)
        {
            var (number, line) = lines[l];
            var fields = CsvLine.TrySplit(line, out var problem)
                ?? throw new DatasetFormatException(path, number, problem!);
            if (fields.Count != 3)
            {
                throw new DatasetFormatException(path, number, $"expected 3 fields (movieId, title, genres), found {fields.Count}");
            }

            if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new DatasetFormatException(path, number, $"movie id \"{fields[0]}\" is not an integer");
            }

            movies.Add(new Movie(id, fields[1], ParseGenres(fields[2])) { Year = MovieYear.Parse(null, fields[1]) });
        }

        return movies;
    }

    /// <summary>'|'-separated genres; "(no genres listed)" or an empty field means none.</summary>
    public static IReadOnlyList<string> ParseGenres(string field) =>
        field.Length == 0 || field == NoGenres ? [] : field.Split('|');
}
