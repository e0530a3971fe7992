using Recommender.Cli.Commands.Bench;

namespace Recommender.Cli.Tests;

/// <summary>How measured windows become a case's result, against hand-computed values (no server needed).</summary>
public sealed class BenchSummaryTests
{
    private readonly BenchDriver _driver = new([], new BenchIds([1], [1], "none"), "movielens", catalogItems: 1682);

    [Fact]
    public void Windows_are_pooled_calls_and_seconds_add_up_and_percentiles_cover_every_call()
    {
        var first = new BenchSample([100, 200], new Dictionary<string, long> { ["NotFound"] = 1 }, 1.0, 1);
        var second = new BenchSample([500, 300, 400], new Dictionary<string, long> { ["NotFound"] = 2, ["Unavailable"] = 1 }, 2.0, 1);

        var result = _driver.Summarize(new BenchCase(BenchCase.Predict, BenchCase.Neural, 64, 8, "batching on"), [first, second], 1.5);

        Assert.Equal(5 + 4, result.Requests);
        Assert.Equal(3.0, result.Seconds);
        Assert.Equal(5 / 3.0, result.Qps, 12);
        Assert.Equal(5 * 64 / 3.0, result.PredictionsPerSecond, 9);
        // Sorted 100..500: p50 is rank ceil(2.5) = 3 -> 300; p90 rank ceil(4.5) = 5 -> 500.
        Assert.Equal((300, 500, 500, 300, 500), (result.Latency.P50Us, result.Latency.P90Us, result.Latency.P99Us, result.Latency.MeanUs, result.Latency.MaxUs));
        Assert.Equal(new Dictionary<string, long> { ["NotFound"] = 3, ["Unavailable"] = 1 }, result.Errors);
        Assert.Equal(("batching on", 1.5, 1), (result.Label, result.LoadAverage, result.Channels));
    }

    [Fact]
    public void A_recommend_call_scores_the_whole_catalog()
    {
        var result = _driver.Summarize(new BenchCase(BenchCase.Recommend, BenchCase.Mf, 10, 1), [new BenchSample([50, 50, 50, 50], new Dictionary<string, long>(), 2.0, 1)], 0);

        Assert.Equal(2.0, result.Qps);
        Assert.Equal(2.0 * 1682, result.PredictionsPerSecond);
        Assert.Empty(result.Errors);
    }
}
