using System.Globalization;
using Grpc.Core;
using Recommender.Contracts.V1;
using Recommender.Hosting;

namespace Recommender.InferenceService;

/// <summary>
/// What the contract itself rules out, checked at the top of every RPC before any lookup:
/// identifiers over their length bound (an oversized one quoted back in an error would not fit in
/// the status trailer). INVALID_ARGUMENT naming the field.
/// </summary>
internal static class RequestValidation
{
    /// <summary>Longest model name accepted; repository names are 1-64 characters, so no real name is refused.</summary>
    public const int MaxModelNameLength = 128;

    public static void Check(PredictRatingsRequest request)
    {
        Check(request.Model);
    }

    public static void Check(RecommendRequest request) => Check(request.Model);

    public static void Check(RecommendBatchRequest request) => Check(request.Model);

    public static void Check(GetModelInfoRequest request) => Name("name", request.Name);

    private static void Check(ModelSpec? spec)
    {
        if (spec is null)
        {
            return;
        }

        Name("model.name", spec.Name);
    }

    private static void Name(string field, string name)
    {
        if (name.Length > MaxModelNameLength)
        {
            throw Invalid(field, string.Create(CultureInfo.InvariantCulture,
                $"{name.Length} characters exceed the limit of {MaxModelNameLength} for a model name."));
        }
    }

    private static RpcException Invalid(string field, string problem) =>
        new(new Status(StatusCode.InvalidArgument, $"{field}: {problem}"));
}
