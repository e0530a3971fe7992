using System.Runtime.CompilerServices;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Recommender.Contracts.V1;

namespace Recommender.Client;

/// <summary>
/// Wraps the generated <see cref="TrainerService.TrainerServiceClient"/> and attaches the bearer token
/// to the calls the trainer protects: the mutating ones and the download of a version's files.
/// </summary>
public sealed class TrainerClient : ITrainerClient
{
    private readonly TrainerService.TrainerServiceClient _client;
    private readonly IOptionsMonitor<RecommenderClientOptions> _options;

    public TrainerClient(TrainerService.TrainerServiceClient client, IOptionsMonitor<RecommenderClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options;
    }

    public async Task<TrainingJob> StartTrainingAsync(StartTrainingRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await _client.StartTrainingAsync(request, AuthorizedCall(cancellationToken)).ConfigureAwait(false);
        return response.Job;
    }

    public async Task<TrainingJob> CancelTrainingAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        var response = await _client.CancelTrainingAsync(new CancelTrainingRequest { JobId = jobId }, AuthorizedCall(cancellationToken)).ConfigureAwait(false);
        return response.Job;
    }

    public async Task<TrainingJob> GetTrainingJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        var response = await _client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = jobId }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Job;
    }

    public async Task<IReadOnlyList<TrainingJob>> ListTrainingJobsAsync(int limit = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var response = await _client.ListTrainingJobsAsync(new ListTrainingJobsRequest { Limit = limit }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. response.Jobs];
    }

    public async Task<IReadOnlyList<ModelVersion>> ListModelVersionsAsync(string? modelName = null, CancellationToken cancellationToken = default)
    {
        var response = await _client.ListModelVersionsAsync(new ListModelVersionsRequest { ModelName = modelName ?? "" },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. response.Versions];
    }

    public async IAsyncEnumerable<WatchTrainingResponse> WatchTrainingAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        using var call = _client.WatchTraining(new WatchTrainingRequest { JobId = jobId }, cancellationToken: cancellationToken);
        while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return call.ResponseStream.Current;
        }
    }

    public async IAsyncEnumerable<DownloadModelVersionResponse> DownloadModelVersionAsync(string modelName, long version,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        using var call = _client.DownloadModelVersion(new DownloadModelVersionRequest { ModelName = modelName, Version = version },
            AuthorizedCall(cancellationToken));
        while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return call.ResponseStream.Current;
        }
    }

    /// <summary>
    /// Call credentials rather than a header: the channel drops them over plaintext unless
    /// <see cref="RecommenderClientOptions.AllowTokenOverInsecureChannel"/> was set (validated at start).
    /// The token is read now, so a reloaded configuration applies to the next call.
    /// </summary>
    private CallOptions AuthorizedCall(CancellationToken cancellationToken)
    {
        var options = new CallOptions(cancellationToken: cancellationToken);
        if (_options.CurrentValue.Token is not { Length: > 0 } token)
        {
            return options;
        }

        var header = "Bearer " + token;
        return options.WithCredentials(CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", header);
            return Task.CompletedTask;
        }));
    }
}
