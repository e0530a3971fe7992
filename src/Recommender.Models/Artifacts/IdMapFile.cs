using Recommender.Data;
using Recommender.Models.SafeTensors;

namespace Recommender.Models.Artifacts;

/// <summary>
/// <c>ids.safetensors</c>: <c>user_ids</c> and <c>item_ids</c>, I64 vectors of external ids by dense
/// index. I64 because ids are int64 on the wire and numpy's default integer is int64; the reader
/// also accepts I32.
/// </summary>
public static class IdMapFile
{
    public const string UserIds = "user_ids";
    public const string ItemIds = "item_ids";

    public static void Save(IdMaps maps, string path)
    {
        ArgumentNullException.ThrowIfNull(maps);
        new SafeTensorsWriter()
            .AddMetadata("format", "recommender.ids")
            .AddMetadata("format_version", "1")
            .Add(UserIds, Widen(maps.Users), maps.Users.Count)
            .Add(ItemIds, Widen(maps.Items), maps.Items.Count)
            .Save(path);
    }

    public static IdMaps Load(string path)
    {
        using var reader = SafeTensorsReader.Open(path);
        return new IdMaps(ReadMap(reader, UserIds), ReadMap(reader, ItemIds));
    }

    private static long[] Widen(IdMap map)
    {
        var ids = new long[map.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = map.ExternalId(i);
        }

        return ids;
    }

    private static IdMap ReadMap(SafeTensorsReader reader, string name)
    {
        if (reader.GetTensor(name).Rank != 1)
        {
            throw new ArtifactFormatException(reader.FilePath, $"tensor '{name}' must be a vector");
        }

        var ids = reader.ReadIndexVector(name);
        try
        {
            return IdMap.FromExternalIds(ids);
        }
        catch (ArgumentException e)
        {
            throw new ArtifactFormatException(reader.FilePath, $"tensor '{name}': {e.Message}", e);
        }
    }
}
