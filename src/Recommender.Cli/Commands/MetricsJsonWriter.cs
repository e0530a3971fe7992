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
            ["timings"] = new JsonObject
            {
                ["prepareSeconds"] = outcome.PrepareTime.TotalSeconds,
                ["mfTrainSeconds"] = outcome.Mf?.Elapsed.TotalSeconds,
                ["mfUpdates"] = outcome.Mf?.Updates,
                ["neuralTrainSeconds"] = outcome.Neural?.Elapsed.TotalSeconds,
                ["exportSeconds"] = outcome.ExportTime.TotalSeconds,
                ["totalSeconds"] = outcome.TotalTime.TotalSeconds,
            },
        };
        if (outcome.Mf is { } mf)
        {
            json["mfEpochs"] = new JsonArray([.. mf.Epochs.Select(e => (JsonNode)new JsonObject
            {
                ["epoch"] = e.Epoch,
                ["trainMse"] = e.TrainMse,
                ["validationRmse"] = e.ValidationRmse,
                ["validationMae"] = e.ValidationMae,
                ["seconds"] = e.Seconds,
                ["updatesPerSecond"] = e.UpdatesPerSecond,
            })]);
        }

        if (outcome.Neural is { } neural)
        {
            json["neuralEpochs"] = new JsonArray([.. neural.Epochs.Select(e => (JsonNode)new JsonObject
            {
                ["epoch"] = e.Epoch,
                ["trainMse"] = e.TrainMse,
                ["validationRmse"] = e.ValidationRmse,
                ["validationMae"] = e.ValidationMae,
                ["seconds"] = e.Duration.TotalSeconds,
            })]);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
    }
}
