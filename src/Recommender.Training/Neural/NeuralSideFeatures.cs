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
    /// Users that have a profile but no index of their own (no training rating), in profile order;
    /// empty unless asked for. The network has no embedding for them: their exported rows are
    /// their feature rows' share alone (see <see cref="ColdUserRows"/>), at indices
    /// <see cref="UserCount"/> + k, so that the served model predicts them from what their kind rates.
    /// </summary>
    public IdMap ColdUsers { get; private init; } = IdMap.FromExternalIds([]);

    /// <summary>Catalog items without a training rating, in catalog order; see <see cref="ColdUsers"/>.</summary>
    public IdMap ColdItems { get; private init; } = IdMap.FromExternalIds([]);

    /// <summary>Row-major [ColdUsers.Count x UserColumns], in the same columns as <see cref="UserRows"/>.</summary>
    public float[] ColdUserRows { get; private init; } = [];

    /// <summary>Row-major [ColdItems.Count x ItemColumns], in the same columns as <see cref="ItemRows"/>.</summary>
    public float[] ColdItemRows { get; private init; } = [];

    /// <summary>
    /// The features of the users and items of <paramref name="users"/> and <paramref name="items"/>
    /// (the model's index spaces) from the dataset's profiles and catalog. Users without a profile
    /// and items without a catalog entry get an all-zero row (their embedding alone). With
    /// <paramref name="withCold"/>, also the rows of profiled users and catalog items outside the
    /// maps (<see cref="ColdUsers"/>, <see cref="ColdItems"/>); the columns are the indexed ones'
    /// either way (a value only cold rows have gets no column: nothing could train it), so asking
    /// for cold rows changes nothing the network trains.
    /// </summary>
    public static NeuralSideFeatures From(Dataset dataset, IdMap users, IdMap items, bool withCold = false)
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
            userFields.Add(UserFields(p));
        }

        var movies = new Dictionary<int, Movie>();
        foreach (var movie in dataset.Movies)
        {
            movies[movie.Id] = movie;
        }

        var itemFields = new List<(string[] Genres, string? Year)>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            movies.TryGetValue(items.ExternalId(i), out var m);
            itemFields.Add(ItemFields(m));
        }

        var userNames = Vocabulary(userFields.SelectMany(f => f));
        var itemNames = Vocabulary(itemFields.SelectMany(f => f.Genres).Concat(itemFields.Select(f => f.Year)));
        var features = new NeuralSideFeatures(users.Count, userNames.Count, UserRowsOf(userFields, userNames),
            items.Count, itemNames.Count, ItemRowsOf(itemFields, itemNames))
        {
            UserColumnNames = userNames,
            ItemColumnNames = itemNames,
        };
        if (!withCold)
        {
            return features;
        }

        // Profile and catalog order, first occurrence: the same files give the same cold indices.
        var coldUsers = dataset.Users.Select(p => p.Id).Where(id => !users.TryGetIndex(id, out _)).Distinct().ToArray();
        var coldItems = dataset.Movies.Select(m => m.Id).Where(id => !items.TryGetIndex(id, out _)).Distinct().ToArray();
        return features.WithCold(
            IdMap.FromExternalIds(coldUsers), UserRowsOf([.. coldUsers.Select(id => UserFields(profiles[id]))], userNames),
            IdMap.FromExternalIds(coldItems), ItemRowsOf([.. coldItems.Select(id => ItemFields(movies[id]))], itemNames));
    }

    /// <summary>
    /// These features plus the rows of users and items without an index (in these columns):
    /// row-major [coldUsers.Count x UserColumns] and [coldItems.Count x ItemColumns].
    /// </summary>
    public NeuralSideFeatures WithCold(IdMap coldUsers, float[] coldUserRows, IdMap coldItems, float[] coldItemRows)
    {
        ArgumentNullException.ThrowIfNull(coldUsers);
        ArgumentNullException.ThrowIfNull(coldUserRows);
        ArgumentNullException.ThrowIfNull(coldItems);
        ArgumentNullException.ThrowIfNull(coldItemRows);
        if (coldUserRows.Length != (long)coldUsers.Count * UserColumns || coldItemRows.Length != (long)coldItems.Count * ItemColumns)
        {
            throw new ArgumentException(
                $"Cold rows must be {coldUsers.Count} x {UserColumns} (users) and {coldItems.Count} x {ItemColumns} (items); got {coldUserRows.Length} and {coldItemRows.Length} values.");
        }

        return new NeuralSideFeatures(UserCount, UserColumns, UserRows, ItemCount, ItemColumns, ItemRows)
        {
            UserColumnNames = UserColumnNames,
            ItemColumnNames = ItemColumnNames,
            ColdUsers = coldUsers,
            ColdItems = coldItems,
            ColdUserRows = coldUserRows,
            ColdItemRows = coldItemRows,
        };
    }

    private static string?[] UserFields(UserProfile? p) => p is null
        ? []
        : [p.Age is { } age ? "age:" + AgeBucket(age) : null, Field("gender", p.Gender), Field("occupation", p.Occupation)];

    private static (string[] Genres, string? Year) ItemFields(Movie? m) =>
        // "unknown" and "(no genres listed)" say nothing about the film.
        (m is null ? [] : [.. m.Genres.Where(g => g is not ("unknown" or "(no genres listed)")).Select(g => "genre:" + g).Distinct()],
            m?.Year is { } year ? "year:" + YearBucket(year) : null);

    /// <summary>One-hot per field; a field outside <paramref name="names"/> (only a cold row can have one) is left out.</summary>
    private static float[] UserRowsOf(List<string?[]> fields, List<string> names)
    {
        var rows = new float[fields.Count * names.Count];
        for (var u = 0; u < fields.Count; u++)
        {
            foreach (var field in fields[u])
            {
                var column = field is null ? -1 : names.IndexOf(field);
                if (column >= 0)
                {
                    rows[(u * names.Count) + column] = 1;
                }
            }
        }

        return rows;
    }

    /// <summary>Genres averaged over those with a column, the year bucket one-hot.</summary>
    private static float[] ItemRowsOf(List<(string[] Genres, string? Year)> fields, List<string> names)
    {
        var rows = new float[fields.Count * names.Count];
        for (var i = 0; i < fields.Count; i++)
        {
            var row = i * names.Count;
            var columns = fields[i].Genres.Select(g => names.IndexOf(g)).Where(c => c >= 0).ToArray();
            foreach (var column in columns)
            {
                rows[row + column] = 1f / columns.Length;
            }

            if (fields[i].Year is { } year && names.IndexOf(year) is var yearColumn and >= 0)
            {
                rows[row + yearColumn] = 1;
            }
        }

        return rows;
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
