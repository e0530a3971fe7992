using Microsoft.Extensions.Logging.Abstractions;
using Recommender.Contracts.V1;
using Recommender.Models.Repository;
using Recommender.TrainerService.Jobs;

namespace Recommender.TrainerService.Tests;

public sealed class RecoveryTests
{
    [Fact]
    public async Task Job_records_survive_a_restart_and_unfinished_ones_are_marked_failed()
    {
        using var temp = new TempFolder();
        var models = temp.Sub("models");
        var data = temp.Sub("data");
        string finished;
        await using (var server = await TrainerServer.StartAsync(models, data))
        {
            finished = await server.StartAsync(Requests.Tiny("kept", neural: false));
            await server.WatchToEndAsync(finished, TimeSpan.FromSeconds(60));
        }

        // What a process that died mid-job leaves: a running and a queued record, and a staging folder.
        var store = new JobStore(Path.Combine(models, ".jobs"), NullLogger<JobStore>.Instance);
        var request = new JobRequest("kept", new DatasetReference("x", null, null), "", null, null);
        var then = DateTimeOffset.UtcNow.AddMinutes(-5);
        store.Save(new JobRecord("deadrunning", Jobs.JobState.Running, request, then, then, null, null, null,
            [new JobEvent(JobEventKind.Queued, then), new JobEvent(JobEventKind.Started, then)]));
        store.Save(new JobRecord("deadqueued", Jobs.JobState.Queued, request, then.AddSeconds(1), null, null, null, null,
            [new JobEvent(JobEventKind.Queued, then)]));
        var staging = Directory.CreateDirectory(Path.Combine(models, "kept", ModelRepository.StagingPrefix + "crashed")).FullName;
        await File.WriteAllTextAsync(Path.Combine(staging, "partial.bin"), "half a model");

        await using (var server = await TrainerServer.StartAsync(models, data))
        {
            var kept = (await server.Client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = finished })).Job;
            Assert.Equal(Contracts.V1.JobState.Succeeded, kept.State);
            Assert.Equal(1, kept.PublishedVersion);
            var replay = await server.WatchToEndAsync(finished, TimeSpan.FromSeconds(10));
            Assert.Equal(WatchTrainingResponse.EventOneofCase.Published, replay[^1].EventCase);

            foreach (var id in new[] { "deadrunning", "deadqueued" })
            {
                var job = (await server.Client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = id })).Job;
                Assert.Equal(Contracts.V1.JobState.Failed, job.State);
                Assert.Equal(TrainingJobManager.InterruptedReason, job.Error);
                var events = await server.WatchToEndAsync(id, TimeSpan.FromSeconds(10));
                Assert.Equal(TrainingJobManager.InterruptedReason, events[^1].Failed.Reason);
            }

            Assert.False(Directory.Exists(staging));
            Assert.Equal(3, (await server.Client.ListTrainingJobsAsync(new ListTrainingJobsRequest())).Jobs.Count);
        }
    }

    [Fact]
    public async Task Kill_9_of_a_trainer_process_mid_job_leaves_no_version_and_the_restart_fails_the_job()
    {
        using var temp = new TempFolder();
        var models = temp.Sub("models");
        var data = temp.Sub("data");
        var settings = TrainerServer.Settings(models, data);
        string id;
        using (var process = await ServiceProcess.StartAsync("Recommender.TrainerService", temp.Path, settings, TimeSpan.FromSeconds(60)))
        {
            using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(process.Address);
            var client = new Contracts.V1.TrainerService.TrainerServiceClient(channel);
            id = (await client.StartTrainingAsync(Requests.Long("killed"), TrainerServer.Auth(), DateTime.UtcNow.AddSeconds(30))).Job.JobId;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var watch = client.WatchTraining(new WatchTrainingRequest { JobId = id }, cancellationToken: cts.Token);
            while (await watch.ResponseStream.MoveNext(cts.Token) && watch.ResponseStream.Current.EventCase != WatchTrainingResponse.EventOneofCase.Epoch)
            {
            }

            Assert.Equal(WatchTrainingResponse.EventOneofCase.Epoch, watch.ResponseStream.Current.EventCase);
            process.Kill();
        }

        var repository = new ModelRepository(models, TimeProvider.System);
        Assert.Empty(repository.ListVersions("killed"));

        await using var restarted = await TrainerServer.StartAsync(models, data);
        var job = (await restarted.Client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = id })).Job;
        Assert.Equal(Contracts.V1.JobState.Failed, job.State);
        Assert.Equal(TrainingJobManager.InterruptedReason, job.Error);
        Assert.Empty(repository.ListVersions("killed"));
        Assert.Empty((await restarted.Client.ListModelVersionsAsync(new ListModelVersionsRequest())).Versions);
        var leftovers = Directory.Exists(Path.Combine(models, "killed")) ? Directory.GetDirectories(Path.Combine(models, "killed")) : [];
        Assert.Empty(leftovers);
    }
}
