using System.Collections.Concurrent;
using Recommender.Contracts.V1;
using Contract = Recommender.Contracts.V1;

namespace Recommender.InferenceService.Tests;

/// <summary>A new version is swapped in while clients keep calling: no call fails, and each answer names its version.</summary>
public sealed class HotReloadUnderLoadTests : IDisposable
{
    private const int Workers = 4;

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
        // Workers call until told to stop, however fast or slow this machine is: no call budget that a
        // fast machine could spend before the swap. The 2 min cap only ends a run that hangs.
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var workers = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var calls = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var kind = ++calls % 2 == 0 ? ModelKind.Mf : ModelKind.Neural;
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

        try
        {
            // Every worker answered by version 1, then the swap, then every worker answered by version 2.
            var timeout = TimeSpan.FromSeconds(90);
            await Eventually.TrueAsync(() => Task.FromResult(versions.Select(v => v.Worker).Distinct().Count() == Workers),
                timeout, "a worker never got an answer");
            _repository.Publish(seed: 2);
            await Eventually.TrueAsync(() => Task.FromResult(versions.Where(v => v.Version == 2).Select(v => v.Worker).Distinct().Count() == Workers),
                timeout, "version 2 never answered every worker");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        Assert.Empty(failures);
        Assert.All(versions, v => Assert.InRange(v.Version, 1, 2));
        foreach (var worker in versions.GroupBy(v => v.Worker))
        {
            var seen = worker.Select(v => v.Version).ToArray();
            var firstNew = Array.IndexOf(seen, 2L);
            Assert.True(firstNew > 0, $"worker {worker.Key} saw no version 1 before version 2");
            Assert.All(seen[firstNew..], v => Assert.Equal(2, v));
        }
    }
}
