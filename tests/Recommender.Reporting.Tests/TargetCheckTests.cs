namespace Recommender.Reporting.Tests;

public sealed class TargetCheckTests
{
    private readonly BenchRun _run = BenchJson.Deserialize(Fixture.Text("bench.json"));

    [Fact]
    public void Each_target_is_judged_from_the_matching_case()
    {
        var checks = TargetCheck.Evaluate(_run).ToDictionary(c => c.Target, c => c);

        // mf recommend p99 1.9 ms <= 2 ms; neural 8 ms is over.
        Assert.True(checks["Recommend top-10 mf c=8: p99 ≤ 2 ms"].Met);
        Assert.False(checks["Recommend top-10 neural c=8: p99 ≤ 2 ms"].Met);
        // 512,000 / 1,024,000 = 0.5 < 0.6.
        var ratio = checks["PredictRatings neural b1024 c=8 ≥ 0.6× in-process ORT (1 thread)"];
        Assert.False(ratio.Met);
        Assert.Contains("0.50×", ratio.Measured, StringComparison.Ordinal);
        // c=1: 980 / 1000 = 0.98 (costs 2%, allowed); c=8 not measured; c=64: 12000 / 11000 = 1.09 < 1.10.
        Assert.True(checks["Dynamic batching, single pair, c=1: costs ≤ 5%"].Met);
        Assert.Null(checks["Dynamic batching, single pair, c=8: costs ≤ 5%"].Met);
        Assert.Equal("not measured", checks["Dynamic batching, single pair, c=8: costs ≤ 5%"].Verdict);
        Assert.False(checks["Dynamic batching, single pair, c=64: gains ≥ 10%"].Met);
    }

    [Fact]
    public void Batching_gain_is_on_over_off()
    {
        Assert.Equal(0.98, TargetCheck.BatchingGain(_run, 1)!.Value, 10);
        Assert.Equal(12000.0 / 11000, TargetCheck.BatchingGain(_run, 64)!.Value, 10);
        Assert.Null(TargetCheck.BatchingGain(_run, 8));
    }
}
