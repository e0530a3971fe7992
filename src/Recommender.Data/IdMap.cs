using System.Runtime.InteropServices;

namespace Recommender.Data;

/// <summary>
/// Maps external ids to dense indices 0..Count-1, in order of first appearance (as the notebook's
/// <c>unique()</c> does), so models index contiguous arrays.
/// </summary>
public sealed class IdMap
{
    private readonly int[] _externalIds;
    private readonly Dictionary<int, int> _indexOf;

    private IdMap(int[] externalIds, Dictionary<int, int> indexOf)
    {
        _externalIds = externalIds;
        _indexOf = indexOf;
    }

    public int Count => _externalIds.Length;

    /// <summary>External ids by dense index.</summary>
    public IReadOnlyList<int> ExternalIds => _externalIds;

    /// <summary>Builds the map from ids in order of first appearance.</summary>
    public static IdMap FromFirstAppearance(ReadOnlySpan<int> ids)
    {
        var indexOf = new Dictionary<int, int>();
        var order = new List<int>();
        foreach (var id in ids)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(indexOf, id, out var exists);
            if (!exists)
            {
                slot = order.Count;
                order.Add(id);
            }
        }

        return new IdMap([.. order], indexOf);
    }

    /// <summary>Rebuilds a map from its external ids by index (as stored in an artifact).</summary>
    public static IdMap FromExternalIds(IReadOnlyList<int> externalIds)
    {
        ArgumentNullException.ThrowIfNull(externalIds);
        var indexOf = new Dictionary<int, int>(externalIds.Count);
        for (var i = 0; i < externalIds.Count; i++)
        {
            if (!indexOf.TryAdd(externalIds[i], i))
            {
                throw new ArgumentException($"Duplicate external id {externalIds[i]} at index {i}.", nameof(externalIds));
            }
        }

        return new IdMap([.. externalIds], indexOf);
    }

    public bool TryGetIndex(int externalId, out int index) => _indexOf.TryGetValue(externalId, out index);

    public int ExternalId(int index) => _externalIds[index];
}
