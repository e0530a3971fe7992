using System.Collections.Concurrent;
using Recommender.Contracts.V1;
using Contract = Recommender.Contracts.V1;

namespace Recommender.InferenceService.Tests;

/// <summary>A new version is swapped in while clients keep calling: no call fails, and each answer names its version.</summary>
public sealed class HotReloadUnderLoadTests : IDisposable
{
    private readonly ServedRepository _repository = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task Swapping_versions_under_load_fails_no_call_and_never_goes_back()
    {
        _repository.Publish(seed: 1);
        await using var server = await InferenceServer.StartAsync(_repository.RepositoryPath);
        await Eventually.ServingAsync(server.Channel);
        var client = new Contract.InferenceService.InferenceServiceClient(server.Channel);
        var userId = _repository.Dataset.Ratings.UserIds[0];
        var itemId = _repository.Dataset.Ratings.ItemIds[0];
        var failures = new ConcurrentQueue<Exception>();
        var versions = new ConcurrentQueue<(int Worker, long Version)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var calls = 0;
            while (!stop.IsCancellationRequested && calls++ < 20_000)
            {
                try
                {
                    var kind = calls % 2 == 0 ? ModelKind.Mf : ModelKind.Neural;
                    var answer = await client.RecommendAsync(new RecommendRequest { UserId = userId, TopN = 5, Model = new ModelSpec { Kind = kind } });
                    var prediction = await client.PredictRatingsAsync(new PredictRatingsRequest { UserIds = { userId }, ItemIds = { itemId }, Model = new ModelSpec { Kind = kind } });
                    versions.Enqueue((worker, answer.Model.Version));
                    versions.Enqueue((worker, prediction.Model.Version));
                }
                catch (Exception ex)
                {
                    failures.Enqueue(ex);
                }
            }
        })).ToArray();

        await Task.Delay(300);
        _repository.Publish(seed: 2);
        await Eventually.TrueAsync(() => Task.FromResult(versions.Any(v => v.Version == 2)), TimeSpan.FromSeconds(20), "version 2 never answered");
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.Empty(failures);
        Assert.All(versions, v => Assert.InRange(v.Version, 1, 2));
        foreach (var worker in versions.GroupBy(v => v.Worker))
        {
            var seen = worker.Select(v => v.Version).ToArray();
            var firstNew = Array.IndexOf(seen, 2L);
            Assert.True(firstNew >= 0, $"worker {worker.Key} never saw version 2");
            Assert.All(seen[firstNew..], v => Assert.Equal(2, v));
        }
    }
}
