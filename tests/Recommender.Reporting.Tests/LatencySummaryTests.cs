namespace Recommender.Reporting.Tests;

public sealed class LatencySummaryTests
{
    [Fact]
    public void Percentiles_of_one_to_a_hundred_are_the_ranks_themselves()
    {
        // Shuffled on purpose: the summary must sort.
        var samples = Enumerable.Range(1, 100).Select(i => (double)i).OrderBy(i => (i * 37) % 101).ToArray();

        var summary = LatencySummary.FromMicroseconds(samples);

        Assert.Equal(50, summary.P50Us);
        Assert.Equal(90, summary.P90Us);
        Assert.Equal(99, summary.P99Us);
        Assert.Equal(50.5, summary.MeanUs, 10);
        Assert.Equal(100, summary.MaxUs);
    }

    [Fact]
    public void Nearest_rank_picks_an_observed_sample_never_an_interpolation()
    {
        double[] sorted = [10, 20, 30, 40];

        // p50: rank ceil(0.5 * 4) = 2 -> 20; p90: ceil(3.6) = 4 -> 40; p25: ceil(1) = 1 -> 10.
        Assert.Equal(20, LatencySummary.NearestRank(sorted, 50));
        Assert.Equal(40, LatencySummary.NearestRank(sorted, 90));
        Assert.Equal(10, LatencySummary.NearestRank(sorted, 25));
        Assert.Equal(40, LatencySummary.NearestRank(sorted, 100));
    }

    [Fact]
    public void A_long_tail_shows_in_p99_and_not_in_p50()
    {
        // 990 calls at 100 µs and 10 at 5 ms: p99 is rank 990, still 100 µs; 11 slow calls move it.
        var fast = Enumerable.Repeat(100.0, 990);
        Assert.Equal(100, LatencySummary.FromMicroseconds([.. fast, .. Enumerable.Repeat(5000.0, 10)]).P99Us);
        var summary = LatencySummary.FromMicroseconds([.. Enumerable.Repeat(100.0, 989), .. Enumerable.Repeat(5000.0, 11)]);
        Assert.Equal(5000, summary.P99Us);
        Assert.Equal(100, summary.P50Us);
    }

    [Fact]
    public void No_samples_give_zeros_and_a_single_sample_is_every_percentile()
    {
        Assert.Equal(LatencySummary.Empty, LatencySummary.FromMicroseconds([]));
        var one = LatencySummary.FromMicroseconds([42.0]);
        Assert.Equal((42, 42, 42, 42, 42), (one.P50Us, one.P90Us, one.P99Us, one.MeanUs, one.MaxUs));
    }

    [Fact]
    public void Nearest_rank_rejects_empty_input_and_percent_out_of_range()
    {
        Assert.Throws<ArgumentException>(() => LatencySummary.NearestRank([], 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencySummary.NearestRank([1.0], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencySummary.NearestRank([1.0], 101));
    }

    [Fact]
    public void Rates_are_counts_over_seconds_and_zero_for_an_empty_window()
    {
        Assert.Equal(2500, BenchRates.PerSecond(5000, 2));
        Assert.Equal(1_024_000, BenchRates.PerSecond(1000.0 * 1024, 1));
        Assert.Equal(0, BenchRates.PerSecond(10, 0));
    }
}
