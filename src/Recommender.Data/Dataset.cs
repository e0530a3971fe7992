namespace Recommender.Data;

/// <summary>The MovieLens file layouts we read, detected from a folder's files.</summary>
public enum DatasetFormat
{
    /// <summary>ml-100k: u.data (tab), u.item and u.user ('|', Latin-1).</summary>
    MovieLens100K,

    /// <summary>ml-1m / ml-10m: ratings.dat, movies.dat, users.dat ('::').</summary>
    MovieLensDat,

    /// <summary>ml-latest-small / ml-25m: ratings.csv, movies.csv (quoted CSV).</summary>
    MovieLensCsv,
}

/// <summary>A loaded dataset: its ratings in file order, its catalog and (where present) its users.</summary>
public sealed record Dataset(
    string Name,
    DatasetFormat Format,
    string Folder,
    RatingTable Ratings,
    IReadOnlyList<Movie> Movies,
    IReadOnlyList<UserProfile> Users);
