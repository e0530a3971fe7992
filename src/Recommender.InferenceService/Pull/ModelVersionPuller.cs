using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using Recommender.Contracts.V1;
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
/// </summary>
internal sealed partial class ModelVersionPuller(
    IOptions<PullOptions> pullOptions,
    IOptions<InferenceOptions> inferenceOptions,
    TimeProvider time,
    ILogger<ModelVersionPuller> logger) : BackgroundService
{
    private readonly PullOptions _options = pullOptions.Value;
    private readonly ModelRepository _repository = new(inferenceOptions.Value.RepositoryPath, time);
    private readonly IList<string> _names = inferenceOptions.Value.ModelNames;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        using var channel = GrpcChannel.ForAddress(_options.TrainerAddress!, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = _options.MaxReceiveMessageBytes,
        });
        var client = new Contracts.V1.TrainerService.TrainerServiceClient(channel);
        var downloader = new VersionDownloader(_repository);
        LogEnabled(logger, _options.TrainerAddress!, _options.Interval);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PullOnceAsync(client, downloader, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RpcException or IOException or PullException or ArtifactFormatException or InvalidOperationException
                or ArgumentException && !stoppingToken.IsCancellationRequested)
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

    private async Task PullOnceAsync(Contracts.V1.TrainerService.TrainerServiceClient client, VersionDownloader downloader, CancellationToken cancellationToken)
    {
        var listed = await client.ListModelVersionsAsync(new ListModelVersionsRequest(),
            deadline: DateTime.UtcNow.AddMinutes(1), cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var group in listed.Versions.GroupBy(v => v.Name, StringComparer.Ordinal))
        {
            if ((_names.Count > 0 && !_names.Contains(group.Key)) || !ModelNames.IsValid(group.Key))
            {
                continue;
            }

            var local = _repository.LatestVersion(group.Key) ?? 0;
            foreach (var version in group.Select(v => v.Version).Where(v => v > local).Order())
            {
                var deadline = DateTime.UtcNow.Add(_options.DownloadTimeout);
                var manifest = await downloader.DownloadAsync(client, group.Key, version, deadline, cancellationToken).ConfigureAwait(false);
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
