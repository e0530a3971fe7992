using System.Text.Json.Serialization;

namespace Recommender.Jobs;

// Source-generated so job files are read and written without reflection; enums as names so the
// files stay readable by an operator.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(JobRecord))]
internal sealed partial class JobJsonContext : JsonSerializerContext;
