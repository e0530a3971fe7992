using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Recommender.Contracts.V1;
using Recommender.Jobs;
using Recommender.Models.Repository;

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
        // And one that died between committing its version (v1 above) and recording it.
        store.Save(new JobRecord("deadafterpublish", Jobs.JobState.Running, request with { ModelName = "kept" }, then, then, null, null, null,
            [new JobEvent(JobEventKind.Queued, then), new JobEvent(JobEventKind.Started, then), new JobEvent(JobEventKind.Exporting, then)]));
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
                Assert.Equal(JobRecovery.InterruptedReason, job.Error);
                var events = await server.WatchToEndAsync(id, TimeSpan.FromSeconds(10));
                Assert.Equal(JobRecovery.InterruptedReason, events[^1].Failed.Reason);
            }

            var reconciled = (await server.Client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = "deadafterpublish" })).Job;
            Assert.Equal(Contracts.V1.JobState.Succeeded, reconciled.State);
            Assert.Equal(1, reconciled.PublishedVersion);

            Assert.False(Directory.Exists(staging));
            Assert.Equal(4, (await server.Client.ListTrainingJobsAsync(new ListTrainingJobsRequest())).Jobs.Count);
        }
    }

    [Fact]
    public async Task Recovery_runs_when_the_host_starts_not_when_the_job_manager_is_resolved()
    {
        using var temp = new TempFolder();
        var models = temp.Sub("models");
        var jobs = Path.Combine(models, ".jobs");
        var store = new JobStore(jobs, NullLogger<JobStore>.Instance);
        var request = new JobRequest("m", new DatasetReference("x", null, null), "", null, null);
        var then = DateTimeOffset.UtcNow.AddMinutes(-5);
        store.Save(new JobRecord("deadrunning", Jobs.JobState.Running, request, then, then, null, null, null,
            [new JobEvent(JobEventKind.Queued, then), new JobEvent(JobEventKind.Started, then)]));
        var record = Path.Combine(jobs, "deadrunning.json");
        var before = await File.ReadAllTextAsync(record);

        var settings = TrainerServer.Settings(models, temp.Sub("data"));
        await using var app = TrainerServiceHost.Build([], b => b.Configuration.AddInMemoryCollection(settings));
        _ = app.Services.GetRequiredService<TrainingJobManager>();
        Assert.Equal(before, await File.ReadAllTextAsync(record));

        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            var failed = store.LoadAll().Single(r => r.Id == "deadrunning");
            Assert.Equal(Jobs.JobState.Failed, failed.State);
            Assert.Equal(JobRecovery.InterruptedReason, failed.Error);
            Assert.Equal(Jobs.JobState.Failed, app.Services.GetRequiredService<TrainingJobManager>().Get("deadrunning").State);
        }
        finally
        {
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Theory]
    [InlineData(WatchTrainingResponse.EventOneofCase.Epoch)]
    [InlineData(WatchTrainingResponse.EventOneofCase.Exporting)]
    public async Task Kill_9_of_a_trainer_process_mid_job_leaves_no_partial_version_and_the_restart_fails_the_job(WatchTrainingResponse.EventOneofCase killAt)
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
            var request = Requests.Long("killed");
            if (killAt == WatchTrainingResponse.EventOneofCase.Exporting)
            {
                // Reach the export quickly; it writes several files, so the kill lands among them or just after the commit.
                request.Mf.Epochs = 2;
            }

            id = (await client.StartTrainingAsync(request, TrainerServer.Auth(), DateTime.UtcNow.AddSeconds(30))).Job.JobId;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var watch = client.WatchTraining(new WatchTrainingRequest { JobId = id }, cancellationToken: cts.Token);
            while (await watch.ResponseStream.MoveNext(cts.Token) && watch.ResponseStream.Current.EventCase != killAt)
            {
            }

            Assert.Equal(killAt, watch.ResponseStream.Current.EventCase);
            process.Kill();
        }

        var repository = new ModelRepository(models, TimeProvider.System);
        var visible = repository.ListVersions("killed");
        if (killAt == WatchTrainingResponse.EventOneofCase.Epoch)
        {
            Assert.Empty(visible);
        }

        // Killed mid-export there is no version; killed just after the commit there is a whole one.
        // Never a partial one: whatever is visible opens with every checksum verified.
        Assert.True(visible.Count <= 1);
        foreach (var version in visible)
        {
            Assert.Equal(version, repository.OpenVersion("killed", version).Manifest.Version);
        }

        await using var restarted = await TrainerServer.StartAsync(models, data);
        var job = (await restarted.Client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = id })).Job;
        if (visible.Count == 0)
        {
            Assert.Equal(Contracts.V1.JobState.Failed, job.State);
            Assert.Equal(JobRecovery.InterruptedReason, job.Error);
        }
        else
        {
            // It died after the commit: the record is brought in line with the repository.
            Assert.Equal(Contracts.V1.JobState.Succeeded, job.State);
            Assert.Equal(visible[0], job.PublishedVersion);
        }

        Assert.Equal(visible, repository.ListVersions("killed"));
        Assert.Equal(visible.Count, (await restarted.Client.ListModelVersionsAsync(new ListModelVersionsRequest())).Versions.Count);
        // The restart removed any staging folder the killed export left.
        var folders = Directory.Exists(Path.Combine(models, "killed")) ? Directory.GetDirectories(Path.Combine(models, "killed")) : [];
        Assert.Equal(visible.Count, folders.Length);
    }
}
