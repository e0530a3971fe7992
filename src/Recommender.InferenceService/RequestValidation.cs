using System.Globalization;
using System.Reflection;
using Google.Protobuf.Reflection;
using Grpc.Core;
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
        Defined("unknown_id_policy", request.UnknownIdPolicy);
    }

    public static void Check(RecommendRequest request)
    {
        Check(request.Model);
        Defined("unknown_id_policy", request.UnknownIdPolicy);
    }

    public static void Check(RecommendBatchRequest request) => Check(request.Model);

    public static void Check(SimilarItemsRequest request) => Check(request.Model);

    public static void Check(GetModelInfoRequest request) => Name("name", request.Name);

    private static void Check(ModelSpec? spec)
    {
        if (spec is null)
        {
            return;
        }

        Name("model.name", spec.Name);
        Defined("model.kind", spec.Kind);
    }

    private static void Name(string field, string name)
    {
        if (name.Length > MaxModelNameLength)
        {
            throw Invalid(field, string.Create(CultureInfo.InvariantCulture,
                $"{name.Length} characters exceed the limit of {MaxModelNameLength} for a model name."));
        }
    }

    // Enum.IsDefined on the generated enum: a value added to the contract later passes without a change here.
    private static void Defined<TEnum>(string field, TEnum value) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw Invalid(field, string.Create(CultureInfo.InvariantCulture,
                $"{Convert.ToInt64(value, CultureInfo.InvariantCulture)} is not a value the contract defines; use one of {string.Join(", ", ContractNames<TEnum>())}."));
        }
    }

    // The names a client writes (MODEL_KIND_MF), not the C# member names (Mf).
    private static IEnumerable<string> ContractNames<TEnum>() where TEnum : struct, Enum =>
        typeof(TEnum).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? f.Name);

    private static RpcException Invalid(string field, string problem) =>
        new(new Status(StatusCode.InvalidArgument, $"{field}: {problem}"));
}
