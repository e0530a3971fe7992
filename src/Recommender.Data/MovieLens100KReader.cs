using System.Globalization;
using System.Text;

namespace Recommender.Data;

/// <summary>
/// ml-100k: u.data (user TAB item TAB rating TAB timestamp), u.item and u.user ('|'-separated,
/// Latin-1). The synthetic generator writes this layout too.
/// </summary>
internal static class MovieLens100KReader
{
    public const string RatingsFile = "u.data";
    public const string MoviesFile = "u.item";
    public const string UsersFile = "u.user";

    /// <summary>The 19 genre flag columns of u.item, in file order.</summary>
    public static readonly IReadOnlyList<string> GenreNames =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
        "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
        "Thriller", "War", "Western",
    ];

    private const int MovieFieldsBeforeGenres = 5;

    public static Dataset Read(string folder, string name, CancellationToken cancellationToken, bool userProfiles = true)
    {
        var ratings = ReadRatings(Path.Combine(folder, RatingsFile), cancellationToken);
        var movies = ReadMovies(Path.Combine(folder, MoviesFile));
        var usersPath = Path.Combine(folder, UsersFile);
        var users = userProfiles && File.Exists(usersPath) ? ReadUsers(usersPath) : [];
        return new Dataset(name, DatasetFormat.MovieLens100K, folder, ratings, movies, users);
    }

    /// <summary>Also reads the official split files (u1.base, ua.test, ...), which share the layout.</summary>
    public static RatingTable ReadRatings(string path, CancellationToken cancellationToken) =>
        RatingsFileReader.Read(path, "\t"u8, header: null, cancellationToken);

    public static List<Movie> ReadMovies(string path)
    {
        var movies = new List<Movie>();
        foreach (var (number, line) in TextFileLines.Read(path, Encoding.Latin1))
        {
            var fields = line.Split('|');
            var expected = MovieFieldsBeforeGenres + GenreNames.Count;
            if (fields.Length != expected)
            {
                throw new DatasetFormatException(path, number, $"expected {expected} '|'-separated fields (id, title, release date, video release date, IMDb URL, 19 genre flags), found {fields.Length}");
            }

            if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new DatasetFormatException(path, number, $"movie id \"{fields[0]}\" is not an integer");
            }

            var genres = new List<string>();
            for (var g = 0; g < GenreNames.Count; g++)
            {
                switch (fields[MovieFieldsBeforeGenres + g])
                {
                    case "1":
                        genres.Add(GenreNames[g]);
                        break;
                    case "0":
                        break;
                    default:
                        throw new DatasetFormatException(path, number, $"genre flag {GenreNames[g]} is \"{fields[MovieFieldsBeforeGenres + g]}\", expected 0 or 1");
                }
            }

            movies.Add(new Movie(id, fields[1], genres) { Year = MovieYear.Parse(fields[2], fields[1]) });
        }

        return movies;
    }

    public static List<UserProfile> ReadUsers(string path)
    {
        var users = new List<UserProfile>();
        foreach (var (number, line) in TextFileLines.Read(path, Encoding.Latin1))
        {
            var fields = line.Split('|');
            if (fields.Length != 5)
            {
                throw new DatasetFormatException(path, number, $"expected 5 '|'-separated fields (id, age, gender, occupation, zip), found {fields.Length}");
            }

            if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new DatasetFormatException(path, number, $"user id \"{fields[0]}\" is not an integer");
            }

            if (!int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var age))
            {
                throw new DatasetFormatException(path, number, $"age \"{fields[1]}\" is not an integer");
            }

            users.Add(new UserProfile(id, age, fields[2], fields[3], fields[4]));
        }

        return users;
    }
}
