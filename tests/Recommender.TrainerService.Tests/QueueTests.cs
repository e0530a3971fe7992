using Grpc.Core;
using Recommender.Contracts.V1;

namespace Recommender.TrainerService.Tests;

public sealed class QueueTests
{
    [Fact]
    public async Task A_full_queue_answers_resource_exhausted_until_a_slot_frees()
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"),
            new Dictionary<string, string?> { ["Trainer:QueueCapacity"] = "1" });
        var running = await server.StartAsync(Requests.Long("a"));
        await server.WaitForEventAsync(running, e => e.EventCase == WatchTrainingResponse.EventOneofCase.Started, TimeSpan.FromSeconds(30));
        var waiting = await server.StartAsync(Requests.Long("b"));

        var full = await Assert.ThrowsAsync<RpcException>(() => server.StartAsync(Requests.Tiny("c")));
        Assert.Equal(StatusCode.ResourceExhausted, full.StatusCode);
        Assert.Contains("queue is full", full.Status.Detail, StringComparison.Ordinal);
        var jobs = await server.Client.ListTrainingJobsAsync(new ListTrainingJobsRequest());
        Assert.Equal(2, jobs.Jobs.Count);

        // Cancelling the waiting job frees its slot at once.
        await server.Client.CancelTrainingAsync(new CancelTrainingRequest { JobId = waiting }, TrainerServer.Auth());
        var accepted = await server.StartAsync(Requests.Tiny("d"));

        foreach (var id in new[] { accepted, running })
        {
            await server.Client.CancelTrainingAsync(new CancelTrainingRequest { JobId = id }, TrainerServer.Auth());
        }

        var end = await server.WatchToEndAsync(running, TimeSpan.FromSeconds(60));
        Assert.Equal(WatchTrainingResponse.EventOneofCase.Cancelled, end[^1].EventCase);
    }
}
