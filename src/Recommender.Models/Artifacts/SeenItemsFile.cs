using Recommender.Models.SafeTensors;

namespace Recommender.Models.Artifacts;

/// <summary>
/// <c>seen.safetensors</c>: the <see cref="SeenItems"/> CSR arrays as I32 vectors
/// (<c>user_offsets</c> [U+1], <c>items</c> [N], <c>item_counts</c> [I]); scipy users can rebuild a
/// <c>csr_matrix</c> from them directly.
/// </summary>
public static class SeenItemsFile
{
    public const string UserOffsets = "user_offsets";
    public const string Items = "items";
    public const string ItemCounts = "item_counts";

    public static void Save(SeenItems seen, string path)
    {
        ArgumentNullException.ThrowIfNull(seen);
        new SafeTensorsWriter()
            .AddMetadata("format", "recommender.seen")
            .AddMetadata("format_version", "1")
            .Add(UserOffsets, seen.OffsetArray, seen.UserCount + 1L)
            .Add(Items, seen.ItemArray, seen.Items.Length)
            .Add(ItemCounts, seen.ItemCountArray, seen.ItemCount)
            .Save(path);
    }

    public static SeenItems Load(string path)
    {
        using var reader = SafeTensorsReader.Open(path);
        foreach (var name in (ReadOnlySpan<string>)[UserOffsets, Items, ItemCounts])
        {
            if (reader.GetTensor(name).Rank != 1)
            {
                throw new ArtifactFormatException(path, $"tensor '{name}' must be a vector");
            }
        }

        var offsets = reader.ReadIndexVector(UserOffsets);
        var items = reader.ReadIndexVector(Items);
        var counts = reader.ReadIndexVector(ItemCounts);
        return SeenItems.Validate(offsets, items, counts) is { } problem
            ? throw new ArtifactFormatException(path, problem)
            : new SeenItems(offsets, items, counts);
    }
}
