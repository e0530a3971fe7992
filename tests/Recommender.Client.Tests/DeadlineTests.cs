using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Client.Tests.Infrastructure;
using Recommender.Contracts.V1;

namespace Recommender.Client.Tests;

/// <summary>Default deadlines against slow test servers on loopback.</summary>
public sealed class DeadlineTests
{
    private const int TestTimeoutMs = 30_000;

    [Fact(Timeout = TestTimeoutMs)]
    public async Task A_call_without_a_deadline_gets_the_default_and_fails_with_deadline_exceeded_against_a_slow_server()
    {
        var service = new ScriptedInferenceService { Delay = TimeSpan.FromSeconds(20) };
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var services = ClientServices.Build(o =>
        {
            o.Address = server.Address;
            // Long enough that a call on a busy 2-core machine (other test projects run beside this
            // one) still reaches the server before its deadline, short beside the server's 20 s.
            o.DefaultDeadline = TimeSpan.FromSeconds(2);
        });
        var client = services.GetRequiredService<IRecommenderClient>();
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.RecommendAsync(1, 3));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        // Not before the deadline; the upper bound only has to catch "no deadline at all" (the server waits 20 s).
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(1950), TimeSpan.FromSeconds(15));
        // The deadline travelled to the server (grpc-timeout), so it could stop working too.
        var (deadline, arrivedAt) = Assert.Single(service.Deadlines);
        // At most the default from the moment it arrived (less when the machine is busy and the call arrives late).
        Assert.True(deadline - arrivedAt <= TimeSpan.FromMilliseconds(2100), $"the server saw {deadline - arrivedAt} left");
        // DEADLINE_EXCEEDED is not retried: the one deadline covers every attempt.
        Assert.Equal(1, service.Attempts);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task The_callers_timeout_replaces_the_default()
    {
        var service = new ScriptedInferenceService { Delay = TimeSpan.FromMilliseconds(600) };
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var services = ClientServices.Build(o =>
        {
            o.Address = server.Address;
            o.DefaultDeadline = TimeSpan.FromMilliseconds(200);
        });
        var client = services.GetRequiredService<IRecommenderClient>();

        var result = await client.RecommendAsync(9, 2, new RecommendOptions { Timeout = TimeSpan.FromSeconds(10) });
        var info = await client.GetModelInfoAsync(timeout: TimeSpan.FromSeconds(10));

        Assert.Equal(9, result.UserId);
        Assert.Equal([100L, 101L], result.Items.Select(i => i.ItemId));
        Assert.Equal(new ModelRef("scripted", 7, ModelKind.Mf), result.Model);
        Assert.NotNull(info);
        // The calls outlived the 200 ms default, so the 10 s timeout replaced it. What is left on
        // arrival is at most 10 s; how much less depends on how busy the machine is, so the lower
        // bound only tells it apart from the default (a loaded 2-core machine can delay a call by seconds).
        Assert.All(service.Deadlines, d => Assert.InRange(d.Deadline - d.ArrivedAt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10.5)));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task The_generated_client_from_the_same_registration_gets_the_default_deadline_too()
    {
        var service = new ScriptedInferenceService();
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var services = ClientServices.Build(o =>
        {
            o.Address = server.Address;
            o.DefaultDeadline = TimeSpan.FromSeconds(3);
        });
        var raw = services.GetRequiredService<GrpcClientFactory>()
            .CreateClient<InferenceApi.InferenceServiceClient>(RecommenderClientServiceCollectionExtensions.InferenceClientName);

        await raw.GetModelInfoAsync(new GetModelInfoRequest());

        var (deadline, arrivedAt) = Assert.Single(service.Deadlines);
        // A deadline was set (none would be DateTime.MaxValue), at most the 3 s default; any positive rest
        // passes, as a busy machine may deliver the call late.
        Assert.InRange(deadline - arrivedAt, TimeSpan.Zero, TimeSpan.FromSeconds(3.5));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Cancelling_the_token_cancels_the_call()
    {
        var service = new ScriptedInferenceService { Delay = TimeSpan.FromSeconds(20) };
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var services = ClientServices.Build(o =>
        {
            o.Address = server.Address;
            o.DefaultDeadline = TimeSpan.FromSeconds(20);
        });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() => services.GetRequiredService<IRecommenderClient>().RecommendAsync(1, 1, cancellationToken: cancel.Token));

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"cancellation took {watch.Elapsed}");
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task A_stream_outliving_the_default_deadline_is_not_cut()
    {
        var service = new RecordingTrainerService { WatchEventDelay = TimeSpan.FromMilliseconds(250) };
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var services = ClientServices.Build(o =>
        {
            o.Address = server.Address;
            o.TrainerAddress = server.Address;
            o.DefaultDeadline = TimeSpan.FromMilliseconds(200);
        });
        var trainer = services.GetRequiredService<ITrainerClient>();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var events = new List<WatchTrainingResponse>();
        await foreach (var e in trainer.WatchTrainingAsync("job-1", bound.Token))
        {
            events.Add(e);
        }

        Assert.Equal(
            [WatchTrainingResponse.EventOneofCase.Started, WatchTrainingResponse.EventOneofCase.Epoch, WatchTrainingResponse.EventOneofCase.Epoch,
             WatchTrainingResponse.EventOneofCase.Epoch, WatchTrainingResponse.EventOneofCase.Published],
            events.Select(e => e.EventCase));
        Assert.Equal([1, 2, 3], events.Where(e => e.Epoch is not null).Select(e => e.Epoch.Epoch));
    }
}
