namespace Recommender.Data;

/// <summary>One catalog entry. <paramref name="Id"/> is the dataset's own movie id.</summary>
public sealed record Movie(int Id, string Title, IReadOnlyList<string> Genres)
{
    /// <summary>Release year (see <see cref="MovieYear"/>); null when the files do not say.</summary>
    public int? Year { get; init; }
}
