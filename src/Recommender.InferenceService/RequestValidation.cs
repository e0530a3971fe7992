using Recommender.Contracts.V1;
using Recommender.Hosting;

namespace Recommender.InferenceService;

/// <summary>
/// What the contract itself rules out, checked at the top of every RPC before any lookup:
/// identifiers over their length bound (an oversized one quoted back in an error would not fit in
/// the status trailer) and enum values the contract does not define (protobuf hands them through
/// as plain numbers; served as the default they would answer a question nobody asked).
/// INVALID_ARGUMENT naming the field.
/// </summary>
internal static class RequestValidation
{
    /// <summary>Longest model name accepted; repository names are 1-64 characters, so no real name is refused.</summary>
    public const int MaxModelNameLength = 128;

    public static void Check(PredictRatingsRequest request)
    {
        Check(request.Model);
        ContractChecks.Defined("unknown_id_policy", request.UnknownIdPolicy);
    }

    public static void Check(RecommendRequest request)
    {
        Check(request.Model);
        ContractChecks.Defined("unknown_id_policy", request.UnknownIdPolicy);
    }

    public static void Check(RecommendBatchRequest request) => Check(request.Model);

    public static void Check(SimilarItemsRequest request) => Check(request.Model);

    public static void Check(GetModelInfoRequest request) => ContractChecks.MaxLength("name", request.Name, MaxModelNameLength, "a model name");

    private static void Check(ModelSpec? spec)
    {
        if (spec is null)
        {
            return;
        }

        ContractChecks.MaxLength("model.name", spec.Name, MaxModelNameLength, "a model name");
        ContractChecks.Defined("model.kind", spec.Kind);
    }
}
