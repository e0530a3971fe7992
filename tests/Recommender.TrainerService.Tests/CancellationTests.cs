using Recommender.Contracts.V1;
using Recommender.Models.Repository;

namespace Recommender.TrainerService.Tests;

public sealed class CancellationTests
{
    [Fact]
    public async Task Cancelling_a_running_job_stops_it_and_publishes_nothing()
    {
        using var temp = new TempFolder();
        var models = temp.Sub("models");
        await using var server = await TrainerServer.StartAsync(models, temp.Sub("data"));
        var id = await server.StartAsync(Requests.Long("cancelled"));
        await server.WaitForEventAsync(id, e => e.EventCase == WatchTrainingResponse.EventOneofCase.Epoch, TimeSpan.FromSeconds(60));

        var cancelled = await server.Client.CancelTrainingAsync(new CancelTrainingRequest { JobId = id }, TrainerServer.Auth());
        Assert.Equal(JobState.Running, cancelled.Job.State);
        var events = await server.WatchToEndAsync(id, TimeSpan.FromSeconds(30));

        Assert.Equal(WatchTrainingResponse.EventOneofCase.Cancelled, events[^1].EventCase);
        Assert.DoesNotContain(events, e => e.EventCase == WatchTrainingResponse.EventOneofCase.Published);
        var job = (await server.Client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = id })).Job;
        Assert.Equal(JobState.Cancelled, job.State);
        Assert.Equal(0, job.PublishedVersion);
        var repository = new ModelRepository(models, TimeProvider.System);
        Assert.Empty(repository.ListVersions("cancelled"));
        Assert.Empty((await server.Client.ListModelVersionsAsync(new ListModelVersionsRequest())).Versions);
        Assert.Empty(Directory.Exists(Path.Combine(models, "cancelled")) ? Directory.GetDirectories(Path.Combine(models, "cancelled")) : []);
    }

    [Fact]
    public async Task Cancelling_a_queued_job_ends_it_at_once_and_the_runner_skips_it()
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"));
        var running = await server.StartAsync(Requests.Long("first"));
        var queued = await server.StartAsync(Requests.Tiny("second", neural: false));

        var cancelled = await server.Client.CancelTrainingAsync(new CancelTrainingRequest { JobId = queued }, TrainerServer.Auth());
        Assert.Equal(JobState.Cancelled, cancelled.Job.State);
        var events = await server.WatchToEndAsync(queued, TimeSpan.FromSeconds(10));
        Assert.Equal([WatchTrainingResponse.EventOneofCase.Queued, WatchTrainingResponse.EventOneofCase.Cancelled], events.Select(e => e.EventCase));

        await server.Client.CancelTrainingAsync(new CancelTrainingRequest { JobId = running }, TrainerServer.Auth());
        var runningEvents = await server.WatchToEndAsync(running, TimeSpan.FromSeconds(60));
        Assert.Equal(WatchTrainingResponse.EventOneofCase.Cancelled, runningEvents[^1].EventCase);
        Assert.Empty((await server.Client.ListModelVersionsAsync(new ListModelVersionsRequest())).Versions);
    }
}
