using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Recommender.Hosting;
using Recommender.InferenceService;

namespace Recommender.Cli.Tests;

/// <summary>The real inference host on loopback, free ports, in this process.</summary>
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
        return new LoopbackServer(app, grpc);
    }

    public GrpcChannel OpenChannel() => GrpcChannel.ForAddress(Address);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
