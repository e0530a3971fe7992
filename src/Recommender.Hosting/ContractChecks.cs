using System.Globalization;
using System.Reflection;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Recommender.Hosting;

/// <summary>
/// The checks of what a contract itself rules out, shared by both services' request validation:
/// a string over its length bound (checked before any lookup, so an oversized input is never
/// quoted back) and an enum value the contract does not define (protobuf hands it through as a
/// plain number). Each throws INVALID_ARGUMENT naming the field.
/// </summary>
public static class ContractChecks
{
    public static void MaxLength(string field, string value, int limit, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > limit)
        {
            throw Invalid(field, string.Create(CultureInfo.InvariantCulture, $"{value.Length} characters exceed the limit of {limit} for {what}."));
        }
    }

    // Enum.IsDefined on the generated enum: a value added to the contract later passes without a change here.
    public static void Defined<TEnum>(string field, TEnum value) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw Invalid(field, string.Create(CultureInfo.InvariantCulture,
                $"{Convert.ToInt64(value, CultureInfo.InvariantCulture)} is not a value the contract defines; use one of {string.Join(", ", ContractNames<TEnum>())}."));
        }
    }

    private static RpcException Invalid(string field, string problem) =>
        new(new Status(StatusCode.InvalidArgument, $"{field}: {problem}"));

    // The names a client writes (MODEL_KIND_MF), not the C# member names (Mf).
    private static IEnumerable<string> ContractNames<TEnum>() where TEnum : struct, Enum =>
        typeof(TEnum).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? f.Name);
}
