namespace Recommender.Data;

/// <summary>
/// Loads a MovieLens-layout folder, telling the format from the files present so callers only
/// pass a path: u.data means ml-100k, ratings.dat ml-1m/ml-10m, ratings.csv ml-latest/ml-25m.
/// </summary>
public static class DatasetLoader
{
    /// <summary>The format of the files in <paramref name="folder"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="DatasetFormatException">No known ratings file, or a required file is missing.</exception>
    public static DatasetFormat DetectFormat(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Dataset folder {folder} does not exist.");
        }

        var candidates = new List<(DatasetFormat Format, string Ratings, string Movies)>
        {
            (DatasetFormat.MovieLens100K, MovieLens100KReader.RatingsFile, MovieLens100KReader.MoviesFile),
            (DatasetFormat.MovieLensDat, MovieLensDatReader.RatingsFile, MovieLensDatReader.MoviesFile),
            (DatasetFormat.MovieLensCsv, MovieLensCsvReader.RatingsFile, MovieLensCsvReader.MoviesFile),
        }.Where(c => File.Exists(Path.Combine(folder, c.Ratings))).ToList();

        if (candidates.Count == 0)
        {
            throw new DatasetFormatException(
                $"{folder} holds no MovieLens ratings file: expected u.data (ml-100k), ratings.dat (ml-1m, ml-10m) or ratings.csv (ml-latest-small, ml-25m).");
        }

        if (candidates.Count > 1)
        {
            throw new DatasetFormatException(
                $"{folder} holds ratings files of several formats ({string.Join(", ", candidates.Select(c => c.Ratings))}); keep one dataset per folder.");
        }

        var (format, _, movies) = candidates[0];
        if (!File.Exists(Path.Combine(folder, movies)))
        {
            throw new DatasetFormatException($"{folder} has {candidates[0].Ratings} but not {movies}; the dataset is incomplete.");
        }

        return format;
    }

    /// <summary>Reads the dataset in <paramref name="folder"/>; its name is the folder's name.</summary>
    public static Dataset Load(string folder, CancellationToken cancellationToken = default) => Load(folder, userProfiles: true, cancellationToken);

    /// <summary>
    /// Reads the dataset in <paramref name="folder"/>, with its user profiles (u.user, users.dat)
    /// only when <paramref name="userProfiles"/>: training uses none, and at 160 k users they are
    /// tens of MB of strings at the moment the rating columns are largest.
    /// </summary>
    public static Dataset Load(string folder, bool userProfiles, CancellationToken cancellationToken = default)
    {
        var format = DetectFormat(folder);
        var full = Path.GetFullPath(folder);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(full));
        return format switch
        {
            DatasetFormat.MovieLens100K => MovieLens100KReader.Read(full, name, cancellationToken, userProfiles),
            DatasetFormat.MovieLensDat => MovieLensDatReader.Read(full, name, cancellationToken, userProfiles),
            DatasetFormat.MovieLensCsv => MovieLensCsvReader.Read(full, name, cancellationToken),
            _ => throw new DatasetFormatException($"Unsupported dataset format {format}."),
        };
    }
}
