using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Recommender.Contracts.V1;

namespace Recommender.Client.Tests.Infrastructure;

/// <summary>
/// A TrainerService that records each call (method and its authorization header) and fails the first
/// <see cref="FailFirst"/> calls of every method with UNAVAILABLE.
/// </summary>
internal sealed class RecordingTrainerService : TrainerService.TrainerServiceBase
{
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    public int FailFirst { get; init; }

    /// <summary>Pause before each epoch event of WatchTraining (a stream that outlives the default deadline).</summary>
    public TimeSpan WatchEventDelay { get; init; }

    public ConcurrentQueue<(string Method, string? Authorization)> Calls { get; } = new();

    public int AttemptsOf(string method) => _attempts.GetValueOrDefault(method);

    public override Task<StartTrainingResponse> StartTraining(StartTrainingRequest request, ServerCallContext context)
    {
        Record(nameof(StartTraining), context);
        return Task.FromResult(new StartTrainingResponse { Job = Job("job-1", JobState.Queued, request.ModelName) });
    }

    public override Task<CancelTrainingResponse> CancelTraining(CancelTrainingRequest request, ServerCallContext context)
    {
        Record(nameof(CancelTraining), context);
        return Task.FromResult(new CancelTrainingResponse { Job = Job(request.JobId, JobState.Cancelled, "m") });
    }

    public override Task<GetTrainingJobResponse> GetTrainingJob(GetTrainingJobRequest request, ServerCallContext context)
    {
        Record(nameof(GetTrainingJob), context);
        return Task.FromResult(new GetTrainingJobResponse { Job = Job(request.JobId, JobState.Running, "m") });
    }

    public override Task<ListTrainingJobsResponse> ListTrainingJobs(ListTrainingJobsRequest request, ServerCallContext context)
    {
        Record(nameof(ListTrainingJobs), context);
        return Task.FromResult(new ListTrainingJobsResponse { Jobs = { Job("job-2", JobState.Succeeded, "m"), Job("job-1", JobState.Failed, "m") } });
    }

    public override Task<ListModelVersionsResponse> ListModelVersions(ListModelVersionsRequest request, ServerCallContext context)
    {
        Record(nameof(ListModelVersions), context);
        return Task.FromResult(new ListModelVersionsResponse { Versions = { new ModelVersion { Name = request.ModelName, Version = 3 } } });
    }

    public override async Task WatchTraining(WatchTrainingRequest request, IServerStreamWriter<WatchTrainingResponse> responseStream, ServerCallContext context)
    {
        Record(nameof(WatchTraining), context);
        var at = Timestamp.FromDateTime(DateTime.UtcNow);
        await responseStream.WriteAsync(new WatchTrainingResponse { JobId = request.JobId, At = at, Started = new JobStarted() }).ConfigureAwait(false);
        for (var epoch = 1; epoch <= 3; epoch++)
        {
            await Task.Delay(WatchEventDelay, context.CancellationToken).ConfigureAwait(false);
            await responseStream.WriteAsync(new WatchTrainingResponse
            {
                JobId = request.JobId,
                At = at,
                Epoch = new EpochCompleted { Kind = ModelKind.Mf, Epoch = epoch, Epochs = 3, TrainLoss = 1.0 / epoch },
            }).ConfigureAwait(false);
        }

        await responseStream.WriteAsync(new WatchTrainingResponse { JobId = request.JobId, At = at, Published = new JobPublished() }).ConfigureAwait(false);
    }

    /// <summary>A manifest, then one file in two chunks.</summary>
    public override async Task DownloadModelVersion(DownloadModelVersionRequest request, IServerStreamWriter<DownloadModelVersionResponse> responseStream,
        ServerCallContext context)
    {
        Record(nameof(DownloadModelVersion), context);
        await responseStream.WriteAsync(new DownloadModelVersionResponse
        {
            Manifest = new ModelVersion { Name = request.ModelName, Version = request.Version, Files = { new ModelFile { Path = "f.bin", SizeBytes = 5 } } },
        }).ConfigureAwait(false);
        await responseStream.WriteAsync(new DownloadModelVersionResponse
        {
            Chunk = new FileChunk { Path = "f.bin", Offset = 0, Data = Google.Protobuf.ByteString.CopyFromUtf8("hel") },
        }).ConfigureAwait(false);
        await responseStream.WriteAsync(new DownloadModelVersionResponse
        {
            Chunk = new FileChunk { Path = "f.bin", Offset = 3, Data = Google.Protobuf.ByteString.CopyFromUtf8("lo"), Last = true },
        }).ConfigureAwait(false);
    }

    private void Record(string method, ServerCallContext context)
    {
        Calls.Enqueue((method, context.RequestHeaders.GetValue("authorization")));
        if (_attempts.AddOrUpdate(method, 1, (_, n) => n + 1) <= FailFirst)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "scripted failure"));
        }
    }

    private static TrainingJob Job(string id, JobState state, string model) => new() { JobId = id, State = state, ModelName = model };
}
