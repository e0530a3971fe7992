using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Recommender.Contracts.V1;
using Recommender.Hosting;

namespace Recommender.TrainerService.Tests;

/// <summary>A real trainer host on 127.0.0.1 with a free port, and a gRPC client to it.</summary>
internal sealed class TrainerServer : IAsyncDisposable
{
    public const string Token = "test-token-0123456789";

    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private TrainerServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        Address = $"http://127.0.0.1:{port}";
        _channel = GrpcChannel.ForAddress(Address);
        Client = new Contracts.V1.TrainerService.TrainerServiceClient(_channel);
    }

    public int Port { get; }

    public string Address { get; }

    public Contracts.V1.TrainerService.TrainerServiceClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static Metadata Auth(string token = Token) => new() { { "authorization", "Bearer " + token } };

    public static async Task<TrainerServer> StartAsync(string repository, string dataRoot, IDictionary<string, string?>? extra = null)
    {
        var settings = Settings(repository, dataRoot);
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var app = TrainerServiceHost.Build([], b => b.Configuration.AddInMemoryCollection(settings));
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return new TrainerServer(app, app.BoundPorts().GrpcPort);
    }

    public static Dictionary<string, string?> Settings(string repository, string dataRoot) => new()
    {
        ["Endpoints:BindAddress"] = "127.0.0.1",
        ["Endpoints:GrpcPort"] = "0",
        ["Endpoints:MetricsPort"] = "0",
        ["Endpoints:DrainDelay"] = "00:00:00",
        ["Endpoints:ShutdownTimeout"] = "00:00:10",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Trainer:RepositoryPath"] = repository,
        ["Trainer:DataRoot"] = dataRoot,
        ["Trainer:AuthToken"] = Token,
    };

    /// <summary>Starts a job with the token; returns its id.</summary>
    public async Task<string> StartAsync(StartTrainingRequest request)
    {
        var response = await Client.StartTrainingAsync(request, Auth(), DateTime.UtcNow.AddSeconds(30));
        return response.Job.JobId;
    }

    /// <summary>Every event of a job until it ends (bounded).</summary>
    public async Task<List<WatchTrainingResponse>> WatchToEndAsync(string jobId, TimeSpan timeout)
    {
        using var call = Client.WatchTraining(new WatchTrainingRequest { JobId = jobId }, deadline: DateTime.UtcNow.Add(timeout));
        var events = new List<WatchTrainingResponse>();
        await foreach (var e in call.ResponseStream.ReadAllAsync())
        {
            events.Add(e);
        }

        return events;
    }

    /// <summary>Reads a job's events until one matches (bounded); the stream is then abandoned.</summary>
    public async Task<WatchTrainingResponse> WaitForEventAsync(string jobId, Func<WatchTrainingResponse, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var call = Client.WatchTraining(new WatchTrainingRequest { JobId = jobId }, cancellationToken: cts.Token);
        await foreach (var e in call.ResponseStream.ReadAllAsync(cts.Token))
        {
            if (match(e))
            {
                return e;
            }
        }

        throw new InvalidOperationException($"Job {jobId} ended without the awaited event.");
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
