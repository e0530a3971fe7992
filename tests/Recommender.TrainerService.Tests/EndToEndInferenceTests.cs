using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Recommender.Contracts.V1;
using Recommender.Models.Repository;
using Xunit.Abstractions;

namespace Recommender.TrainerService.Tests;

/// <summary>
/// A trainer publishes, an inference service running as a separate process serves the new version
/// without a restart: through a shared repository folder, and through the pull path.
/// </summary>
public sealed class EndToEndInferenceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ServeTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Inference_serves_a_new_version_from_a_shared_folder_without_restart()
    {
        using var temp = new TempFolder();
        var models = temp.Sub("models");
        await using var trainer = await TrainerServer.StartAsync(models, temp.Sub("data"));
        using var inference = await StartInference(temp, models, pullFrom: null);
        using var channel = GrpcChannel.ForAddress(inference.Address);
        var client = new InferenceService.InferenceServiceClient(channel);

        await TrainAndExpectServed(trainer, client, inference, "shared", 1);
        await TrainAndExpectServed(trainer, client, inference, "shared", 2);
    }

    [Fact]
    public async Task Inference_pulls_a_new_version_from_the_trainer_and_serves_it_without_restart()
    {
        using var temp = new TempFolder();
        var trainerModels = temp.Sub("trainer-models");
        var inferenceModels = temp.Sub("inference-models");
        await using var trainer = await TrainerServer.StartAsync(trainerModels, temp.Sub("data"));
        using var inference = await StartInference(temp, inferenceModels, pullFrom: trainer.Address);
        using var channel = GrpcChannel.ForAddress(inference.Address);
        var client = new InferenceService.InferenceServiceClient(channel);

        await TrainAndExpectServed(trainer, client, inference, "pulled", 1);
        await TrainAndExpectServed(trainer, client, inference, "pulled", 2);

        var local = new ModelRepository(inferenceModels, TimeProvider.System);
        var remote = new ModelRepository(trainerModels, TimeProvider.System);
        Assert.Equal([1L, 2L], local.ListVersions("pulled"));
        Assert.Equal(remote.ReadManifest("pulled", 2).Files, local.ReadManifest("pulled", 2).Files);
        Assert.Equal(remote.ReadManifest("pulled", 2).Models.Select(m => (m.Kind, m.File)), local.ReadManifest("pulled", 2).Models.Select(m => (m.Kind, m.File)));
        Assert.Equal(2, local.OpenVersion("pulled", 2).Manifest.Version);
    }

    [Fact]
    public async Task A_pulled_version_whose_bytes_do_not_match_the_manifest_is_never_committed()
    {
        using var temp = new TempFolder();
        var inferenceModels = temp.Sub("inference-models");
        await using var trainer = await TrainerServer.StartAsync(temp.Sub("trainer-models"), temp.Sub("data"));
        await trainer.WatchToEndAsync(await trainer.StartAsync(Requests.Tiny("tampered")), TimeSpan.FromSeconds(90));
        await using var corrupting = await CorruptingTrainer.StartAsync(trainer.Address);
        using var inference = await StartInference(temp, inferenceModels, pullFrom: corrupting.Address);

        var waited = Stopwatch.StartNew();
        while (!inference.Output.Contains("SHA-256", StringComparison.Ordinal))
        {
            Assert.True(waited.Elapsed < ServeTimeout, $"no checksum failure reported. Inference output:\n{inference.Output}");
            await Task.Delay(100);
        }

        var local = new ModelRepository(inferenceModels, TimeProvider.System);
        Assert.Empty(local.ListVersions("tampered"));
        var modelFolder = Path.Combine(inferenceModels, "tampered");
        Assert.Empty(Directory.Exists(modelFolder) ? Directory.GetDirectories(modelFolder) : []);
    }

    private async Task TrainAndExpectServed(TrainerServer trainer, InferenceService.InferenceServiceClient client, ServiceProcess inference, string name, long version)
    {
        var events = await trainer.WatchToEndAsync(await trainer.StartAsync(Requests.Tiny(name)), TimeSpan.FromSeconds(90));
        Assert.Equal(version, events[^1].Published.Version.Version);
        var published = Stopwatch.StartNew();
        while (true)
        {
            var info = await client.GetModelInfoAsync(new GetModelInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            if (info.Models.Any(m => m.Version.Name == name && m.Version.Version == version))
            {
                break;
            }

            Assert.True(published.Elapsed < ServeTimeout, $"version {version} not served after {ServeTimeout}. Inference output:\n{inference.Output}");
            await Task.Delay(100);
        }

        output.WriteLine($"{name} v{version}: published → served in {published.Elapsed.TotalMilliseconds:F0} ms");
        var prediction = await client.PredictRatingsAsync(new PredictRatingsRequest
        {
            Model = new ModelSpec { Name = name, Kind = ModelKind.Neural },
            UserIds = { 1 },
            ItemIds = { 1 },
            UnknownIdPolicy = UnknownIdPolicy.Fallback,
        }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(version, prediction.Model.Version);
        Assert.InRange(prediction.Ratings[0], 1f, 5f);
    }

    private static Task<ServiceProcess> StartInference(TempFolder temp, string repository, string? pullFrom)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Endpoints:BindAddress"] = "127.0.0.1",
            ["Endpoints:GrpcPort"] = "0",
            ["Endpoints:MetricsPort"] = "0",
            ["Endpoints:DrainDelay"] = "00:00:00",
            ["Inference:RepositoryPath"] = repository,
            ["Inference:PollInterval"] = "00:00:01",
            ["Inference:ExecutionProvider"] = "Cpu",
        };
        if (pullFrom is not null)
        {
            settings["Inference:Pull:TrainerAddress"] = pullFrom;
            settings["Inference:Pull:Interval"] = "00:00:01";
            settings["Inference:Pull:Token"] = TrainerServer.Token;
            settings["Inference:Pull:AllowTokenOverInsecureChannel"] = "true";
        }

        return ServiceProcess.StartAsync("Recommender.InferenceService", temp.Path, settings, TimeSpan.FromSeconds(60));
    }
}
