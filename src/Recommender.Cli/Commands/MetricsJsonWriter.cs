using System.Text.Json;
using System.Text.Json.Nodes;
using Recommender.Training.Pipeline;

namespace Recommender.Cli.Commands;

/// <summary>Writes a run's final metrics, per-epoch curves and timings as JSON (for reports and scripts).</summary>
internal static class MetricsJsonWriter
{
    public static async Task WriteAsync(string path, TrainingOutcome outcome, CancellationToken cancellationToken)
    {
        var m = outcome.Manifest;
        var json = new JsonObject
        {
            ["model"] = m.ModelName,
            ["version"] = m.Version,
            ["dataset"] = m.Dataset.Name,
            ["metrics"] = new JsonObject(m.Metrics.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(double.IsFinite(kv.Value) ? kv.Value : (double?)null)))),
            ["hyperParameters"] = new JsonObject(m.HyperParameters.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        };
        var timings = new JsonObject { ["prepareSeconds"] = outcome.PrepareTime.TotalSeconds };
        foreach (var model in outcome.Models)
        {
            model.AddTimings(timings);
            json[$"{model.Kind}Epochs"] = model.EpochsJson();
        }

        foreach (var (kind, time) in outcome.KindTimes)
        {
            // Training plus the held-out evaluation.
            timings[$"{kind}StepSeconds"] = time.TotalSeconds;
        }

        timings["exportSeconds"] = outcome.ExportTime.TotalSeconds;
        timings["totalSeconds"] = outcome.TotalTime.TotalSeconds;
        json["timings"] = timings;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
    }
}
