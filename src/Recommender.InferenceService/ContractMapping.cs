using Recommender.Contracts.V1;
using Recommender.Serving;

namespace Recommender.InferenceService;

/// <summary>Converts between protobuf messages and the serving domain's types.</summary>
internal static class ContractMapping
{
    public static ModelSelector ToSelector(this ModelSpec? spec) => spec is null
        ? new ModelSelector(null, 0, null)
        : new ModelSelector(spec.Name, spec.Version, spec.Kind switch
        {
            ModelKind.Mf => ServedKind.Mf,
            ModelKind.Neural => ServedKind.Neural,
            ModelKind.Implicit => ServedKind.Implicit,
            ModelKind.Blend => ServedKind.Blend,
            _ => null,
        });

    public static ModelKind ToContract(this ServedKind kind) => kind switch
    {
        ServedKind.Mf => ModelKind.Mf,
        ServedKind.Neural => ModelKind.Neural,
        ServedKind.Implicit => ModelKind.Implicit,
        ServedKind.Blend => ModelKind.Blend,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "The contract has no value for this kind."),
    };

    public static ModelIdentity ToContract(this AnsweredBy answeredBy) => new()
    {
        Name = answeredBy.Name,
        Version = answeredBy.Version,
        Kind = answeredBy.Kind.ToContract(),
    };

    public static UnknownIdHandling ToDomain(this UnknownIdPolicy policy) => policy switch
    {
        UnknownIdPolicy.Fallback => UnknownIdHandling.Fallback,
        _ => UnknownIdHandling.Reject,
    };

    public static ScoredItem ToContract(this RecommendedItem item)
    {
        var scored = new ScoredItem { ItemId = item.ItemId, Score = item.Score, Title = item.Title ?? "" };
        scored.Genres.AddRange(item.Genres);
        return scored;
    }

    public static UserRecommendations ToContract(this UserRecommendation user)
    {
        var result = new UserRecommendations { UserId = user.UserId, PopularityFallback = user.PopularityFallback };
        result.Items.AddRange(user.Items.Select(ToContract));
        return result;
    }

    public static SimilarItems ToContract(this ItemNeighbours neighbours)
    {
        var result = new SimilarItems { ItemId = neighbours.ItemId };
        result.Items.AddRange(neighbours.Items.Select(ToContract));
        return result;
    }
}
