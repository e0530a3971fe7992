using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Recommender.Hosting;

namespace Recommender.InferenceService.Tests;

/// <summary>The real inference host on loopback, port 0, with a gRPC channel to it.</summary>
public sealed class InferenceServer : IAsyncDisposable
{
    private InferenceServer(WebApplication app, int grpcPort, int metricsPort)
    {
        App = app;
        GrpcPort = grpcPort;
        MetricsPort = metricsPort;
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
    }

    public WebApplication App { get; }

    public int GrpcPort { get; }

    public int MetricsPort { get; }

    public GrpcChannel Channel { get; }

    public static async Task<InferenceServer> StartAsync(string repositoryPath, IDictionary<string, string?>? settings = null, LogCapture? logs = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Endpoints:BindAddress"] = "127.0.0.1",
            ["Endpoints:GrpcPort"] = "0",
            ["Endpoints:MetricsPort"] = "0",
            ["Endpoints:DrainDelay"] = "00:00:00",
            ["Inference:RepositoryPath"] = repositoryPath,
            ["Inference:PollInterval"] = "00:00:00.200",
            ["Inference:ExecutionProvider"] = "Cpu",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var app = InferenceServiceHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(configuration);
            logs?.AttachTo(builder);
        });
        await app.StartAsync();
        var (grpc, metrics) = app.BoundPorts();
        return new InferenceServer(app, grpc, metrics);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
