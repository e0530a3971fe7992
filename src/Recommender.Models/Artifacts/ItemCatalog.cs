using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using Recommender.Data;

namespace Recommender.Models.Artifacts;

/// <summary>
/// Titles and genres by external item id, for every item the dataset describes. It is deliberately
/// wider than the item id map: catalog items nobody rated in training have no factors but still
/// deserve a title when a client asks about them.
/// Stored as <c>catalog.json</c>: <c>{"formatVersion":1,"items":[{"id","title","genres"}…]}</c>, sorted by id.
/// </summary>
public sealed class ItemCatalog
{
    public const int FormatVersion = 1;

    private readonly Dictionary<int, Movie> _byId;
    private readonly Movie[] _items;

    public ItemCatalog(IEnumerable<Movie> movies)
    {
        ArgumentNullException.ThrowIfNull(movies);
        _byId = [];
        foreach (var movie in movies)
        {
            ArgumentNullException.ThrowIfNull(movie, nameof(movies));
            if (!_byId.TryAdd(movie.Id, movie))
            {
                throw new ArgumentException($"Movie id {movie.Id} appears twice in the catalog.", nameof(movies));
            }
        }

        _items = [.. _byId.Values.OrderBy(m => m.Id)];
    }

    public int Count => _items.Length;

    /// <summary>All entries, sorted by id.</summary>
    public IReadOnlyList<Movie> Items => _items;

    public bool Contains(int id) => _byId.ContainsKey(id);

    public bool TryGet(int id, [NotNullWhen(true)] out Movie? movie) => _byId.TryGetValue(id, out movie);

    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var document = new CatalogDocument
        {
            FormatVersion = FormatVersion,
            Items = [.. _items.Select(m => new CatalogItem { Id = m.Id, Title = m.Title, Genres = [.. m.Genres] })],
        };
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        JsonSerializer.Serialize(stream, document, CatalogJsonContext.Default.CatalogDocument);
        stream.Flush(flushToDisk: true);
    }

    public static ItemCatalog Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CatalogDocument? document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonSerializer.Deserialize(stream, CatalogJsonContext.Default.CatalogDocument);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ArtifactFormatException(path, "the file does not exist", e);
        }
        catch (JsonException e)
        {
            throw new ArtifactFormatException(path, $"corrupt JSON: {e.Message}", e);
        }

        if (document is null)
        {
            throw new ArtifactFormatException(path, "the catalog is null");
        }

        if (document.FormatVersion != FormatVersion)
        {
            throw new ArtifactFormatException(path, $"unsupported catalog format version {document.FormatVersion} (expected {FormatVersion})");
        }

        try
        {
            return new ItemCatalog(document.Items.Select(i => new Movie(i.Id, i.Title, i.Genres)));
        }
        catch (ArgumentException e)
        {
            throw new ArtifactFormatException(path, e.Message, e);
        }
    }
}

internal sealed class CatalogDocument
{
    public required int FormatVersion { get; init; }

    public required IReadOnlyList<CatalogItem> Items { get; init; }
}

internal sealed class CatalogItem
{
    public required int Id { get; init; }

    public required string Title { get; init; }

    public required IReadOnlyList<string> Genres { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(CatalogDocument))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
