using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Recommender.Hosting;
using Recommender.InferenceService;

namespace Recommender.Cli.Tests;

/// <summary>The real inference host on loopback, free ports, in this process, returned once it serves its model.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private LoopbackServer(WebApplication app, int grpcPort)
    {
        App = app;
        Address = $"http://127.0.0.1:{grpcPort}";
    }

    public WebApplication App { get; }

    public string Address { get; }

    public static async Task<LoopbackServer> StartAsync(string repositoryPath)
    {
        var app = InferenceServiceHost.Build([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Endpoints:BindAddress"] = "127.0.0.1",
            ["Endpoints:GrpcPort"] = "0",
            ["Endpoints:MetricsPort"] = "0",
            ["Endpoints:DrainDelay"] = "00:00:00",
            ["Inference:RepositoryPath"] = repositoryPath,
            ["Inference:ExecutionProvider"] = "Cpu",
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        await app.StartAsync();
        var (grpc, _) = app.BoundPorts();
        var server = new LoopbackServer(app, grpc);
        await server.WaitUntilServingAsync();
        return server;
    }

    /// <summary>
    /// The host starts before its model watcher has loaded a version, and calls made in between get
    /// NOT_FOUND (as a client of a starting pod would); a bench case must not count those.
    /// </summary>
    private async Task WaitUntilServingAsync()
    {
        using var channel = OpenChannel();
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await health.CheckAsync(new HealthCheckRequest())).Status != HealthCheckResponse.Types.ServingStatus.Serving)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the inference server at {Address} did not report SERVING within 30 s");
            }

            await Task.Delay(20);
        }
    }

    public GrpcChannel OpenChannel() => GrpcChannel.ForAddress(Address);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
