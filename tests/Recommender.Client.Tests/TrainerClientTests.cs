using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Recommender.Client.Tests.Infrastructure;
using Recommender.Contracts.V1;

namespace Recommender.Client.Tests;

/// <summary>The trainer client's bearer token, observed as metadata on a recording test server.</summary>
public sealed class TrainerClientTests
{
    private const int TestTimeoutMs = 30_000;

    [Fact(Timeout = TestTimeoutMs)]
    public async Task The_token_is_sent_on_mutating_calls_and_downloads_only()
    {
        var service = new RecordingTrainerService();
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var services = ClientServices.Build(o =>
        {
            o.Address = server.Address;
            o.TrainerAddress = server.Address;
            o.Token = "s3cret";
            o.AllowTokenOverInsecureChannel = true;
        });
        var trainer = services.GetRequiredService<ITrainerClient>();

        var started = await trainer.StartTrainingAsync(new StartTrainingRequest { ModelName = "movielens" });
        var cancelled = await trainer.CancelTrainingAsync(started.JobId);
        await trainer.GetTrainingJobAsync(started.JobId);
        await trainer.ListTrainingJobsAsync(10);
        await trainer.ListModelVersionsAsync();
        await trainer.DownloadModelVersionAsync("movielens", 1).ToListAsync();

        Assert.Equal(JobState.Queued, started.State);
        Assert.Equal("movielens", started.ModelName);
        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.Equal(
            [
                ("StartTraining", "Bearer s3cret"),
                ("CancelTraining", "Bearer s3cret"),
                ("GetTrainingJob", null),
                ("ListTrainingJobs", null),
                ("ListModelVersions", null),
                ("DownloadModelVersion", "Bearer s3cret"),
            ],
            service.Calls.ToArray());
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Without_a_token_mutating_calls_carry_no_authorization()
    {
        var service = new RecordingTrainerService();
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var services = ClientServices.Build(o =>
        {
            o.Address = server.Address;
            o.TrainerAddress = server.Address;
        });

        await services.GetRequiredService<ITrainerClient>().StartTrainingAsync(new StartTrainingRequest { ModelName = "m" });

        Assert.Equal([("StartTraining", (string?)null)], service.Calls.ToArray());
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task A_changed_token_applies_to_the_next_call()
    {
        var service = new RecordingTrainerService();
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        var token = "first";
        await using var services = ClientServices.Build(o =>
        {
            o.Address = server.Address;
            o.TrainerAddress = server.Address;
            o.AllowTokenOverInsecureChannel = true;
            o.Token = token;
        });
        var trainer = services.GetRequiredService<ITrainerClient>();

        await trainer.StartTrainingAsync(new StartTrainingRequest { ModelName = "m" });
        // What a configuration reload does: the monitor's cache is dropped and the options are rebuilt.
        token = "second";
        services.GetRequiredService<IOptionsMonitorCache<RecommenderClientOptions>>().Clear();
        await trainer.StartTrainingAsync(new StartTrainingRequest { ModelName = "m" });

        Assert.Equal(["Bearer first", "Bearer second"], service.Calls.Select(c => c.Authorization));
    }

    [Fact]
    public void A_token_over_plaintext_is_refused_unless_allowed()
    {
        using var services = ClientServices.Build(o =>
        {
            o.Address = new Uri("http://127.0.0.1:1");
            o.TrainerAddress = new Uri("http://127.0.0.1:2");
            o.Token = "s3cret";
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ITrainerClient>());

        Assert.Contains(nameof(RecommenderClientOptions.AllowTokenOverInsecureChannel), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_trainer_client_needs_a_trainer_address()
    {
        using var services = ClientServices.Build(o => o.Address = new Uri("http://127.0.0.1:1"));

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<ITrainerClient>());

        Assert.Contains(nameof(RecommenderClientOptions.TrainerAddress), error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task A_trainer_only_connection_streams_a_version_download_and_has_no_inference_client()
    {
        var service = new RecordingTrainerService { FailFirst = 1 };
        await using var server = await LoopbackGrpcServer.StartAsync(service);
        await using var connection = RecommenderConnection.Create(o => o.TrainerAddress = server.Address);

        var parts = await connection.Trainer.DownloadModelVersionAsync("m", 4).ToListAsync();

        Assert.Equal(
            [DownloadModelVersionResponse.PartOneofCase.Manifest, DownloadModelVersionResponse.PartOneofCase.Chunk, DownloadModelVersionResponse.PartOneofCase.Chunk],
            parts.Select(p => p.PartCase));
        Assert.Equal(("m", 4L), (parts[0].Manifest.Name, parts[0].Manifest.Version));
        Assert.Equal("hello", string.Concat(parts.Skip(1).Select(p => p.Chunk.Data.ToStringUtf8())));
        // A read: the scripted UNAVAILABLE before the first message was retried, without the token.
        Assert.Equal(2, service.AttemptsOf("DownloadModelVersion"));
        Assert.All(service.Calls, c => Assert.Null(c.Authorization));
        var noInference = Assert.Throws<InvalidOperationException>(() => connection.Inference);
        Assert.Contains(nameof(RecommenderClientOptions.Address), noInference.Message, StringComparison.Ordinal);
    }
}
