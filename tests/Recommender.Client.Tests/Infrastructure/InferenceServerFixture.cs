using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Recommender.Data;
using Recommender.Hosting;
using Recommender.InferenceService;
using Recommender.Models.Repository;
using Recommender.Training.Mf;
using Recommender.Training.Pipeline;

namespace Recommender.Client.Tests.Infrastructure;

/// <summary>
/// The real inference host, in process on 127.0.0.1 and free ports, serving an MF model trained here on
/// a small synthetic dataset. Shared by the tests of a collection: training and loading take seconds.
/// </summary>
public sealed class InferenceServerFixture : IAsyncLifetime
{
    public const string ModelName = "movielens";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "recommender-client-tests-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public int GrpcPort { get; private set; }

    public Uri Address => new($"http://127.0.0.1:{GrpcPort}");

    public string RepositoryPath => Path.Combine(_root, "models");

    /// <summary>The published version, opened from the repository: the expected answers come from its MF model.</summary>
    public ModelVersionBundle Bundle { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 50, Items = 80, Ratings = 2000, Seed = 1 }).Generate(data);
        var repository = new ModelRepository(RepositoryPath, TimeProvider.System);
        TrainingPipeline.Run(new TrainingRequest(ModelName, data, SplitSpec.Parse("random:0.2"), 1,
            MfTrainingOptions.BiasedDefaults with { Epochs = 3, Factors = 8 }, Neural: null), repository);
        Bundle = repository.OpenLatest(ModelName);

        // Command-line arguments rather than configure-time configuration: the host reads its endpoints
        // while building, before the configure callback runs.
        _app = InferenceServiceHost.Build(
        [
            "--Endpoints:BindAddress=127.0.0.1",
            "--Endpoints:GrpcPort=0",
            "--Endpoints:MetricsPort=0",
            "--Endpoints:DrainDelay=00:00:00",
            $"--Inference:RepositoryPath={RepositoryPath}",
            "--Inference:PollInterval=00:00:01",
            "--Logging:LogLevel:Default=Warning",
        ],
        // The host (as of this commit) resolves TimeProvider without registering it; Program.cs fails the same way.
        builder => builder.Services.TryAddSingleton(TimeProvider.System));
        await _app.StartAsync().ConfigureAwait(false);
        GrpcPort = _app.BoundPorts().GrpcPort;
        await WaitUntilServingAsync().ConfigureAwait(false);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by the server must not fail the run; the temp folder is cleaned eventually.
        }
    }

    /// <summary>The service reports SERVING once a model is loaded; calls before that answer FAILED_PRECONDITION.</summary>
    private async Task WaitUntilServingAsync()
    {
        using var channel = GrpcChannel.ForAddress(Address);
        var health = new Health.HealthClient(channel);
        var giveUpAt = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        HealthCheckResponse.Types.ServingStatus last = HealthCheckResponse.Types.ServingStatus.Unknown;
        while (DateTime.UtcNow < giveUpAt)
        {
            try
            {
                last = (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2)).ConfigureAwait(false)).Status;
                if (last == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException)
            {
                // Not listening or not ready yet: poll again.
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"The inference service did not report SERVING within 60 s (last status {last}).");
    }
}

[CollectionDefinition(Name)]
public sealed class InferenceServerCollection : ICollectionFixture<InferenceServerFixture>
{
    public const string Name = "inference server";
}
