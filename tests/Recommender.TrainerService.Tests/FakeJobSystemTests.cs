using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Contracts.V1;
using Recommender.Hosting;
using Recommender.Jobs;

namespace Recommender.TrainerService.Tests;

/// <summary>
/// The trainer's gRPC service over a fake <see cref="ITrainingJobs"/> registered in DI: the contract
/// mapping and the error translation, tested without training anything.
/// </summary>
public sealed class FakeJobSystemTests
{
    [Fact]
    public async Task The_service_maps_whatever_job_system_is_registered()
    {
        using var temp = new TempFolder();
        var at = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var request = new JobRequest("fake", new DatasetReference("ratings", null, null), "u1", null, null);
        var fake = new FakeJobs(new JobRecord("job1", Jobs.JobState.Running, request, at, at.AddSeconds(1), null, null, null,
        [
            new JobEvent(JobEventKind.Queued, at) { Position = 2 },
            new JobEvent(JobEventKind.Started, at.AddSeconds(1)),
            new JobEvent(JobEventKind.Epoch, at.AddSeconds(2)) { Model = "neural", Epoch = 1, Epochs = 4, TrainLoss = 0.5, ValidationRmse = 0.9 },
            new JobEvent(JobEventKind.Failed, at.AddSeconds(3)) { Reason = "out of luck" },
        ]));

        var settings = TrainerServer.Settings(temp.Sub("models"), temp.Sub("data"));
        await using var app = TrainerServiceHost.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.Services.AddSingleton<ITrainingJobs>(fake);
        });
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{app.BoundPorts().GrpcPort}");
            var client = new Contracts.V1.TrainerService.TrainerServiceClient(channel);

            var job = (await client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = "job1" })).Job;
            Assert.Equal(("job1", Contracts.V1.JobState.Running, "fake", "u1", "ratings"),
                (job.JobId, job.State, job.ModelName, job.Request.Split, job.Request.Dataset.Folder));
            Assert.Equal(at.AddSeconds(1), job.StartedAt.ToDateTimeOffset());

            using var watch = client.WatchTraining(new WatchTrainingRequest { JobId = "job1" });
            var events = await watch.ResponseStream.ReadAllAsync().ToListAsync();
            Assert.Equal(
                [WatchTrainingResponse.EventOneofCase.Queued, WatchTrainingResponse.EventOneofCase.Started,
                 WatchTrainingResponse.EventOneofCase.Epoch, WatchTrainingResponse.EventOneofCase.Failed],
                events.Select(e => e.EventCase));
            Assert.Equal(2, events[0].Queued.Position);
            Assert.Equal((ModelKind.Neural, 1, 4), (events[2].Epoch.Kind, events[2].Epoch.Epoch, events[2].Epoch.Epochs));
            Assert.Equal("out of luck", events[3].Failed.Reason);

            // The fake's domain exceptions come back as the contract's status codes.
            var full = await Assert.ThrowsAsync<RpcException>(() => client.StartTrainingAsync(Requests.Tiny(), TrainerServer.Auth()).ResponseAsync);
            Assert.Equal(StatusCode.ResourceExhausted, full.StatusCode);
            var missing = await Assert.ThrowsAsync<RpcException>(() => client.CancelTrainingAsync(new CancelTrainingRequest { JobId = "nope" }, TrainerServer.Auth()).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
            Assert.Contains("nope", missing.Status.Detail, StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>One known job; submissions find the queue full.</summary>
    private sealed class FakeJobs(JobRecord job) : ITrainingJobs
    {
        public JobRecord Submit(JobRequest request) => throw new JobQueueFullException(1);

        public JobRecord Get(string jobId) => jobId == job.Id ? job : throw new JobNotFoundException(jobId);

        public IReadOnlyList<JobRecord> List(int limit) => [job];

        public JobRecord Cancel(string jobId) => Get(jobId);

        public IAsyncEnumerable<JobEvent> Watch(string jobId, CancellationToken cancellationToken = default) =>
            Replay(Get(jobId), cancellationToken);

        private static async IAsyncEnumerable<JobEvent> Replay(JobRecord record, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var e in record.Events)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                yield return e;
            }
        }
    }
}
