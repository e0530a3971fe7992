using Recommender.Data;

namespace Recommender.Training.Neural;

/// <summary>
/// Side information of the model's users and items as dense weight rows, one per index: a user's
/// row is one-hot per field it has (age bucket, gender, occupation), an item's row the genres it
/// has averaged (each 1/n) plus one-hot for its release-year bucket. The network adds
/// row · feature_table to the index's embedding, so a user or item with few ratings starts from
/// what its kind rates. Fields a dataset lacks simply have no columns; with none at all a side
/// has <see cref="UserColumns"/> (or <see cref="ItemColumns"/>) 0 and trains without features.
/// </summary>
public sealed class NeuralSideFeatures
{
    /// <param name="userRows">Row-major [userCount x userColumns].</param>
    /// <param name="itemRows">Row-major [itemCount x itemColumns].</param>
    public NeuralSideFeatures(int userCount, int userColumns, float[] userRows, int itemCount, int itemColumns, float[] itemRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(userCount);
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ArgumentOutOfRangeException.ThrowIfNegative(userColumns);
        ArgumentOutOfRangeException.ThrowIfNegative(itemColumns);
        ArgumentNullException.ThrowIfNull(userRows);
        ArgumentNullException.ThrowIfNull(itemRows);
        if (userRows.Length != (long)userCount * userColumns || itemRows.Length != (long)itemCount * itemColumns)
        {
            throw new ArgumentException(
                $"Feature rows must be {userCount} x {userColumns} (users) and {itemCount} x {itemColumns} (items); got {userRows.Length} and {itemRows.Length} values.");
        }

        UserCount = userCount;
        ItemCount = itemCount;
        UserColumns = userColumns;
        ItemColumns = itemColumns;
        UserRows = userRows;
        ItemRows = itemRows;
    }

    public int UserCount { get; }

    public int ItemCount { get; }

    public int UserColumns { get; }

    public int ItemColumns { get; }

    public float[] UserRows { get; }

    public float[] ItemRows { get; }

    /// <summary>Names of the columns, for reports and tests ("age:25-34", "genre:Drama", "year:1995", ...).</summary>
    public IReadOnlyList<string> UserColumnNames { get; private init; } = [];

    public IReadOnlyList<string> ItemColumnNames { get; private init; } = [];

    /// <summary>True when either side has a feature column.</summary>
    public bool Any => UserColumns > 0 || ItemColumns > 0;

    /// <summary>
    /// The features of the users and items of <paramref name="users"/> and <paramref name="items"/>
    /// (the model's index spaces) from the dataset's profiles and catalog. Users without a profile
    /// and items without a catalog entry get an all-zero row (their embedding alone).
    /// </summary>
    public static NeuralSideFeatures From(Dataset dataset, IdMap users, IdMap items)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);

        var profiles = new Dictionary<int, UserProfile>();
        foreach (var profile in dataset.Users)
        {
            profiles[profile.Id] = profile;
        }

        var userFields = new List<string?[]>(users.Count);
        for (var u = 0; u < users.Count; u++)
        {
            profiles.TryGetValue(users.ExternalId(u), out var p);
            userFields.Add(p is null
                ? []
                : [p.Age is { } age ? "age:" + AgeBucket(age) : null, Field("gender", p.Gender), Field("occupation", p.Occupation)]);
        }

        var movies = new Dictionary<int, Movie>();
        foreach (var movie in dataset.Movies)
        {
            movies[movie.Id] = movie;
        }

        var itemGenres = new List<string[]>(items.Count);
        var itemYears = new List<string?>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            movies.TryGetValue(items.ExternalId(i), out var m);
            // "unknown" and "(no genres listed)" say nothing about the film.
            itemGenres.Add(m is null ? [] : [.. m.Genres.Where(g => g is not ("unknown" or "(no genres listed)")).Select(g => "genre:" + g).Distinct()]);
            itemYears.Add(m?.Year is { } year ? "year:" + YearBucket(year) : null);
        }

        var userNames = Vocabulary(userFields.SelectMany(f => f));
        var userRows = new float[users.Count * userNames.Count];
        for (var u = 0; u < users.Count; u++)
        {
            foreach (var field in userFields[u])
            {
                if (field is not null)
                {
                    userRows[(u * userNames.Count) + userNames.IndexOf(field)] = 1;
                }
            }
        }

        var itemNames = Vocabulary(itemGenres.SelectMany(g => g).Concat(itemYears));
        var itemRows = new float[items.Count * itemNames.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var row = i * itemNames.Count;
            foreach (var genre in itemGenres[i])
            {
                itemRows[row + itemNames.IndexOf(genre)] = 1f / itemGenres[i].Length;
            }

            if (itemYears[i] is { } year)
            {
                itemRows[row + itemNames.IndexOf(year)] = 1;
            }
        }

        return new NeuralSideFeatures(users.Count, userNames.Count, userRows, items.Count, itemNames.Count, itemRows)
        {
            UserColumnNames = userNames,
            ItemColumnNames = itemNames,
        };
    }

    /// <summary>ml-1m's age groups (under 18, 18-24, 25-34, 35-44, 45-49, 50-55, 56+), which ml-100k's exact ages fall into.</summary>
    public static string AgeBucket(int age) => age switch
    {
        < 18 => "<18",
        < 25 => "18-24",
        < 35 => "25-34",
        < 45 => "35-44",
        < 50 => "45-49",
        < 56 => "50-55",
        _ => "56+",
    };

    /// <summary>
    /// Decades before 1990, single years after: most MovieLens ratings go to films of the
    /// collection's last few years, where a year's difference still means something.
    /// </summary>
    public static string YearBucket(int year) => year switch
    {
        < 1950 => "<1950",
        < 1990 => $"{year / 10 * 10}s",
        _ => year.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string? Field(string name, string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : name + ":" + value.Trim().ToLowerInvariant();

    // Sorted so that columns do not depend on the order users or items appear in.
    private static List<string> Vocabulary(IEnumerable<string?> names) =>
        [.. names.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
