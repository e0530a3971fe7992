using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// Gives the blend the cold-pair scorer of the member kind its manifest entry names
/// (<see cref="ModelEntry.ColdPairsProperty"/>): the blend's members have no rows for a user or
/// item without a training rating, so for such a pair it serves what that kind (NeuMF with side
/// features) predicts from the features, as training evaluated it.
/// </summary>
internal static class ColdPairs
{
    public static IReadOnlyList<ServedKindModel> Compose(ModelVersionBundle bundle, IReadOnlyList<ServedKindModel> loaded)
    {
        if (bundle.Manifest.FindModel(ModelEntry.BlendKind)?.Property(ModelEntry.ColdPairsProperty) is not { } from
            || !Enum.TryParse<ServedKind>(from, ignoreCase: true, out var source)
            || loaded.FirstOrDefault(k => k.Kind == source)?.ColdRatings is not { } cold)
        {
            return loaded;
        }

        return [.. loaded.Select(k => k.Kind == ServedKind.Blend && k.ColdRatings is null ? k.WithColdRatings(cold) : k)];
    }
}
