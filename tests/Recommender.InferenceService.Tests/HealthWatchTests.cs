using System.Diagnostics;
using Grpc.Core;
using Grpc.Health.V1;
using Recommender.Models.Repository;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Recommender.InferenceService.Tests;

/// <summary>
/// Issue 11's battery, health: Watch (what Envoy, linkerd and client-side health checking use)
/// hears of a state change when Check does, not on the health publisher's 30 s period.
/// </summary>
public sealed class HealthWatchTests(ServedRepositoryFixture fixture) : IClassFixture<ServedRepositoryFixture>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("recommender-health-tests-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A server that has not let go of a file yet must not fail the test run.
        }
    }

    [Fact]
    public async Task Watch_reports_serving_as_soon_as_check_does_and_not_serving_as_soon_as_draining_begins()
    {
        var up = Stopwatch.StartNew();
        var server = await InferenceServer.StartAsync(_root, new Dictionary<string, string?> { ["Endpoints:DrainDelay"] = "00:00:05" });
        try
        {
            var health = new Health.HealthClient(server.Channel);
            using var watch = health.Watch(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(60));
            await UntilAsync(watch, ServingStatus.NotServing);
            // The framework's health publisher first runs 5 s after start, then every 30 s: publish
            // after its first run, as on a server that has been up for a while.
            await Task.Delay(TimeSpan.FromSeconds(6) - up.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero);

            OutsideClient.CopyVersionAtomically(fixture.Repository.Repository, 1, new ModelRepository(_root, TimeProvider.System), 1);
            await Eventually.ServingAsync(server.Channel);
            var checkSaidServing = Stopwatch.StartNew();
            await UntilAsync(watch, ServingStatus.Serving);
            // Far below the health publisher's 30 s period, with room for a busy machine.
            Assert.True(checkSaidServing.Elapsed < TimeSpan.FromSeconds(5), $"Watch said SERVING {checkSaidServing.Elapsed.TotalSeconds:F1} s after Check");

            var stopping = Task.Run(() => server.App.StopAsync());
            var drainBegan = Stopwatch.StartNew();
            await UntilAsync(watch, ServingStatus.NotServing);
            // Well inside the 5 s drain delay, before the server stops answering.
            Assert.True(drainBegan.Elapsed < TimeSpan.FromSeconds(3), $"Watch said NOT_SERVING {drainBegan.Elapsed.TotalSeconds:F1} s into the drain");
            await stopping;
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    // Repeats of the current status are allowed by the protocol; wait for the one expected.
    private static async Task UntilAsync(AsyncServerStreamingCall<HealthCheckResponse> watch, ServingStatus expected)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        do
        {
            Assert.True(await watch.ResponseStream.MoveNext(patience.Token), "the Watch stream ended");
        }
        while (watch.ResponseStream.Current.Status != expected);
    }
}
