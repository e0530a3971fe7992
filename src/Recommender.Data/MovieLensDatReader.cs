using System.Globalization;

namespace Recommender.Data;

/// <summary>
/// ml-1m / ml-10m: ratings.dat (UserID::MovieID::Rating::Timestamp), movies.dat
/// (MovieID::Title::Genres, genres '|'-separated) and, for ml-1m only, users.dat
/// (UserID::Gender::Age::Occupation::Zip). ml-1m is Latin-1 and ml-10m UTF-8, so the catalog's
/// encoding is detected. ml-1m's age column is its bracket code (1, 18, 25, 35, 45, 50, 56: the
/// bracket's lower bound), kept as is.
/// </summary>
internal static class MovieLensDatReader
{
    public const string RatingsFile = "ratings.dat";
    public const string MoviesFile = "movies.dat";
    public const string UsersFile = "users.dat";

    private const string Separator = "::";

    /// <summary>ml-1m stores occupations as codes; its README gives these names.</summary>
    private static readonly string[] Occupations =
    [
        "other", "academic/educator", "artist", "clerical/admin", "college/grad student",
        "customer service", "doctor/health care", "executive/managerial", "farmer", "homemaker",
        "K-12 student", "lawyer", "programmer", "retired", "sales/marketing", "scientist",
        "self-employed", "technician/engineer", "tradesman/craftsman", "unemployed", "writer",
    ];

    public static Dataset Read(string folder, string name, CancellationToken cancellationToken, bool userProfiles = true)
    {
        var ratings = RatingsFileReader.Read(Path.Combine(folder, RatingsFile), "::"u8, header: null, cancellationToken);
        var movies = ReadMovies(Path.Combine(folder, MoviesFile));
        var usersPath = Path.Combine(folder, UsersFile);
        var users = userProfiles && File.Exists(usersPath) ? ReadUsers(usersPath) : [];
        return new Dataset(name, DatasetFormat.MovieLensDat, folder, ratings, movies, users);
    }

    public static List<Movie> ReadMovies(string path)
    {
        var movies = new List<Movie>();
        foreach (var (number, line) in TextFileLines.ReadDetectingEncoding(path))
        {
            // Split at the first and last separator so a title can never shift the genres column.
            var first = line.IndexOf(Separator, StringComparison.Ordinal);
            var last = line.LastIndexOf(Separator, StringComparison.Ordinal);
            if (first < 0 || last == first)
            {
                throw new DatasetFormatException(path, number, "expected 3 '::'-separated fields (id, title, genres)");
            }

            var idText = line[..first];
            if (!int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new DatasetFormatException(path, number, $"movie id \"{idText}\" is not an integer");
            }

            var title = line[(first + Separator.Length)..last];
            var genres = MovieLensCsvReader.ParseGenres(line[(last + Separator.Length)..]);
            movies.Add(new Movie(id, title, genres) { Year = MovieYear.Parse(null, title) });
        }

        return movies;
    }

    public static List<UserProfile> ReadUsers(string path)
    {
        var users = new List<UserProfile>();
        foreach (var (number, line) in TextFileLines.ReadDetectingEncoding(path))
        {
            var fields = line.Split(Separator);
            if (fields.Length != 5)
            {
                throw new DatasetFormatException(path, number, $"expected 5 '::'-separated fields (id, gender, age, occupation, zip), found {fields.Length}");
            }

            if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new DatasetFormatException(path, number, $"user id \"{fields[0]}\" is not an integer");
            }

            if (!int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var age))
            {
                throw new DatasetFormatException(path, number, $"age \"{fields[2]}\" is not an integer");
            }

            if (!int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var occupation) || occupation >= Occupations.Length)
            {
                throw new DatasetFormatException(path, number, $"occupation \"{fields[3]}\" is not a code 0-{Occupations.Length - 1}");
            }

            users.Add(new UserProfile(id, age, fields[1], Occupations[occupation], fields[4]));
        }

        return users;
    }
}
