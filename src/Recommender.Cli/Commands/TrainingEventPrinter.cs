using System.Globalization;
using Recommender.Client;
using Recommender.Contracts.V1;

namespace Recommender.Cli.Commands;

/// <summary>Prints a job's events as they stream, one line each; the exit code says how the job ended.</summary>
internal static class TrainingEventPrinter
{
    public static async Task<int> FollowAsync(ITrainerClient client, string jobId, CancellationToken cancellationToken)
    {
        var exit = 1;
        await foreach (var e in client.WatchTrainingAsync(jobId, cancellationToken).ConfigureAwait(false))
        {
            Console.WriteLine($"{e.At.ToDateTime():HH:mm:ss} {Describe(e)}");
            exit = e.EventCase == WatchTrainingResponse.EventOneofCase.Published ? 0 : exit;
        }

        return exit;
    }

    public static string Describe(WatchTrainingResponse e) => e.EventCase switch
    {
        WatchTrainingResponse.EventOneofCase.Queued => $"queued ({e.Queued.Position} ahead)",
        WatchTrainingResponse.EventOneofCase.Started => "started",
        WatchTrainingResponse.EventOneofCase.Epoch => Epoch(e.Epoch),
        WatchTrainingResponse.EventOneofCase.Exporting => "exporting",
        WatchTrainingResponse.EventOneofCase.Published => Published(e.Published.Version),
        WatchTrainingResponse.EventOneofCase.Failed => $"failed: {e.Failed.Reason}",
        WatchTrainingResponse.EventOneofCase.Cancelled => "cancelled",
        _ => e.ToString(),
    };

    public static string Published(ModelVersion v)
    {
        var metrics = v.Metrics.Where(m => m.Name.EndsWith(".rmse", StringComparison.Ordinal) || m.Name.EndsWith(".mae", StringComparison.Ordinal))
            .Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Name}={m.Value:F4}"));
        return $"published {v.Name} version {v.Version} [{string.Join(", ", v.Kinds)}] {string.Join(" ", metrics)}";
    }

    private static string Epoch(EpochCompleted e)
    {
        var kind = e.Kind == ModelKind.Neural ? "neural" : "mf";
        var validation = e.ValidationRmse > 0
            ? string.Create(CultureInfo.InvariantCulture, $" val rmse {e.ValidationRmse:F4} mae {e.ValidationMae:F4}")
            : "";
        return string.Create(CultureInfo.InvariantCulture, $"{kind} epoch {e.Epoch}/{e.Epochs} train mse {e.TrainLoss:F4}{validation} ({e.Seconds:F2} s)");
    }
}
