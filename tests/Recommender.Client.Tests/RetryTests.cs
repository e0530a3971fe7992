using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Client.Tests.Infrastructure;

namespace Recommender.Client.Tests;

/// <summary>Retries through the gRPC service config, observed as attempts on test servers.</summary>
public sealed class RetryTests
{
    private const int TestTimeoutMs = 30_000;

    private static ServiceProvider Client(Uri address, Action<RecommenderRetryOptions>? retry = null) => ClientServices.Build(o =>
    {
        o.Address = address;
        o.TrainerAddress = address;
        o.DefaultDeadline = TimeSpan.FromSeconds(10);
        o.Retry.InitialBackoff = TimeSpan.FromMilliseconds(10);
        o.Retry.MaxBackoff = TimeSpan.FromMilliseconds(50);
        retry?.Invoke(o.Retry);
    });

    [Fact(Timeout = TestTimeoutMs)]
    public async Task An_idempotent_call_that_fails_with_unavailable_is_retried_until_it_succeeds()
    {
        var service = new ScriptedInferenceService { FailFirst = 2 };
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var services = Client(server.Address);

        var result = await services.GetRequiredService<IRecommenderClient>().RecommendAsync(5, 1);

        Assert.Equal(5, result.UserId);
        Assert.Equal(3, service.Attempts);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Retries_stop_at_max_attempts_and_the_last_status_surfaces()
    {
        var service = new ScriptedInferenceService { FailFirst = 100 };
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var services = Client(server.Address);

        var error = await Assert.ThrowsAsync<RpcException>(() => services.GetRequiredService<IRecommenderClient>().GetModelInfoAsync());

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(3, service.Attempts);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task One_attempt_means_no_retries()
    {
        var service = new ScriptedInferenceService { FailFirst = 1 };
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var services = Client(server.Address, r => r.MaxAttempts = 1);

        var error = await Assert.ThrowsAsync<RpcException>(() => services.GetRequiredService<IRecommenderClient>().RecommendAsync(1, 1));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(1, service.Attempts);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Resource_exhausted_is_not_retried_by_default()
    {
        var service = new ScriptedInferenceService { FailFirst = 1, FailWith = StatusCode.ResourceExhausted };
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var services = Client(server.Address);

        var error = await Assert.ThrowsAsync<RpcException>(() => services.GetRequiredService<IRecommenderClient>().RecommendAsync(1, 1));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(1, service.Attempts);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Resource_exhausted_is_retried_when_configured()
    {
        var service = new ScriptedInferenceService { FailFirst = 1, FailWith = StatusCode.ResourceExhausted };
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var services = Client(server.Address, r => r.RetryResourceExhausted = true);

        await services.GetRequiredService<IRecommenderClient>().RecommendAsync(1, 1);

        Assert.Equal(2, service.Attempts);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Trainer_reads_are_retried_but_StartTraining_and_CancelTraining_are_not()
    {
        var service = new RecordingTrainerService { FailFirst = 1 };
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var services = Client(server.Address);
        var trainer = services.GetRequiredService<ITrainerClient>();

        var start = await Assert.ThrowsAsync<RpcException>(() => trainer.StartTrainingAsync(new() { ModelName = "m" }));
        var cancel = await Assert.ThrowsAsync<RpcException>(() => trainer.CancelTrainingAsync("job-1"));
        var job = await trainer.GetTrainingJobAsync("job-1");
        var jobs = await trainer.ListTrainingJobsAsync();
        var versions = await trainer.ListModelVersionsAsync("m");

        Assert.Equal(StatusCode.Unavailable, start.StatusCode);
        Assert.Equal(StatusCode.Unavailable, cancel.StatusCode);
        Assert.Equal(1, service.AttemptsOf("StartTraining"));
        Assert.Equal(1, service.AttemptsOf("CancelTraining"));
        Assert.Equal("job-1", job.JobId);
        Assert.Equal(["job-2", "job-1"], jobs.Select(j => j.JobId));
        Assert.Equal(3, Assert.Single(versions).Version);
        Assert.Equal(2, service.AttemptsOf("GetTrainingJob"));
        Assert.Equal(2, service.AttemptsOf("ListTrainingJobs"));
        Assert.Equal(2, service.AttemptsOf("ListModelVersions"));
    }
}
