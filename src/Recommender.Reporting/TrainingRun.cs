using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recommender.Reporting;

/// <summary>One epoch of a training curve.</summary>
public sealed record EpochPoint(int Epoch, double TrainMse, double? ValidationRmse);

/// <summary>
/// The parts of `recommender train all --metrics-json` output the report uses: final metrics by
/// name, per-epoch curves of each model, and timings. Unknown fields are ignored, so the trainer
/// may add more without breaking reports.
/// </summary>
public sealed record TrainingRun(
    string Model,
    long Version,
    string Dataset,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> HyperParameters,
    IReadOnlyList<EpochPoint> MfEpochs,
    IReadOnlyList<EpochPoint> NeuralEpochs,
    double? TotalSeconds)
{
    public static async Task<TrainingRun> ReadAsync(string path, CancellationToken cancellationToken) =>
        Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), path);

    public static TrainingRun Parse(string json, string source = "metrics JSON")
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: expected a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({ex.Message}).", ex);
        }

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (root["metrics"] is JsonObject m)
        {
            foreach (var (key, value) in m)
            {
                if (value is JsonValue v && v.TryGetValue<double>(out var d))
                {
                    metrics[key] = d;
                }
            }
        }

        var hyper = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root["hyperParameters"] is JsonObject h)
        {
            foreach (var (key, value) in h)
            {
                hyper[key] = value?.ToString() ?? "";
            }
        }

        return new TrainingRun(
            root["model"]?.GetValue<string>() ?? "?",
            root["version"] is JsonValue version && version.TryGetValue<long>(out var ver) ? ver : 0,
            root["dataset"]?.GetValue<string>() ?? "?",
            metrics,
            hyper,
            Epochs(root["mfEpochs"]),
            Epochs(root["neuralEpochs"]),
            root["timings"]?["totalSeconds"] is JsonValue total && total.TryGetValue<double>(out var t) ? t : null);
    }

    private static List<EpochPoint> Epochs(JsonNode? node) =>
        node is JsonArray array
            ? [.. array.OfType<JsonObject>().Select(e => new EpochPoint(
                e["epoch"]?.GetValue<int>() ?? 0,
                Number(e["trainMse"]) ?? double.NaN,
                Number(e["validationRmse"])))]
            : [];

    private static double? Number(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<double>(out var d) && double.IsFinite(d) ? d : null;
}
