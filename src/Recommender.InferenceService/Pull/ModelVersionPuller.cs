using Grpc.Core;
using Microsoft.Extensions.Options;
using Recommender.Client;
using Recommender.Models;
using Recommender.Models.Repository;
using Recommender.Serving;

namespace Recommender.InferenceService.Pull;

/// <summary>
/// Keeps the local repository level with a trainer's: every interval, lists the trainer's versions
/// and downloads, oldest first, each one newer than the local latest (version numbers must stay
/// contiguous for the local copy to carry the trainer's numbers). The <see cref="ModelWatcher"/>
/// then loads a committed version as it would one written by a trainer on a shared volume. A failed
/// pull is logged and retried at the next interval; what the service already serves is untouched.
/// The trainer is called through the typed <see cref="ITrainerClient"/> (deadlines, retries of its
/// reads); the versions go into the host's one <see cref="ModelRepository"/>.
/// </summary>
internal sealed partial class ModelVersionPuller(
    IOptions<PullOptions> pullOptions,
    IOptions<InferenceOptions> inferenceOptions,
    ModelRepository repository,
    TimeProvider time,
    ILogger<ModelVersionPuller> logger) : BackgroundService
{
    /// <summary>Deadline of the version listing.</summary>
    private static readonly TimeSpan ListDeadline = TimeSpan.FromMinutes(1);

    private readonly PullOptions _options = pullOptions.Value;
    private readonly IList<string> _names = inferenceOptions.Value.ModelNames;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        // A private container for the client: the host's own stays free of client registrations, and
        // an inference service that does not pull validates no client settings.
        await using var connection = RecommenderConnection.Create(o =>
        {
            o.TrainerAddress = new Uri(_options.TrainerAddress!);
            o.MaxReceiveMessageBytes = _options.MaxReceiveMessageBytes;
            o.DefaultDeadline = ListDeadline;
            o.Token = _options.Token;
            o.AllowTokenOverInsecureChannel = _options.AllowTokenOverInsecureChannel;
        });
        var client = connection.Trainer;
        var downloader = new VersionDownloader(repository);
        LogEnabled(logger, _options.TrainerAddress!, _options.Interval);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PullOnceAsync(client, downloader, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RpcException or IOException or PullException or ArtifactFormatException or InvalidOperationException
                or ArgumentException or OperationCanceledException && !stoppingToken.IsCancellationRequested)
            {
                LogPullFailed(logger, ex, _options.TrainerAddress!, ex.Message);
            }

            try
            {
                await Task.Delay(_options.Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task PullOnceAsync(ITrainerClient client, VersionDownloader downloader, CancellationToken cancellationToken)
    {
        var listed = await client.ListModelVersionsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var group in listed.GroupBy(v => v.Name, StringComparer.Ordinal))
        {
            if ((_names.Count > 0 && !_names.Contains(group.Key)) || !ModelNames.IsValid(group.Key))
            {
                continue;
            }

            var local = repository.LatestVersion(group.Key) ?? 0;
            foreach (var version in group.Select(v => v.Version).Where(v => v > local).Order())
            {
                // Streams have no default deadline: this bounds one version's download.
                using var timeout = new CancellationTokenSource(_options.DownloadTimeout, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                var manifest = await downloader.DownloadAsync(client, group.Key, version, linked.Token).ConfigureAwait(false);
                LogPulled(logger, manifest.ModelName, manifest.Version, manifest.Files.Sum(f => f.Size));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulling model versions from {TrainerAddress} every {Interval}")]
    private static partial void LogEnabled(ILogger logger, string trainerAddress, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulled {ModelName} version {Version} ({Bytes} bytes, checksums verified)")]
    private static partial void LogPulled(ILogger logger, string modelName, long version, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pulling from {TrainerAddress} failed: {Reason}")]
    private static partial void LogPullFailed(ILogger logger, Exception exception, string trainerAddress, string reason);
}
