namespace Recommender.Reporting.Tests;

public sealed class BenchJsonTests
{
    [Fact]
    public void A_run_survives_a_round_trip()
    {
        var run = BenchJson.Deserialize(Fixture.Text("bench.json"));

        var again = BenchJson.Deserialize(BenchJson.Serialize(run));

        Assert.Equal(run.Cases.Count, again.Cases.Count);
        Assert.Equal(run.Cases[1], again.Cases[1] with { Errors = run.Cases[1].Errors });
        Assert.Equal(10, again.Cases[1].Errors["NotFound"]);
        Assert.Equal(run.Machine, again.Machine);
        Assert.Equal(run.Ceiling[0], again.Ceiling[0]);
        Assert.Equal("predict neural b1024", again.Cases[2].Name);
        Assert.Equal("recommend mf top10", again.Cases[3].Name);
    }

    [Fact]
    public async Task A_file_that_is_not_a_bench_result_is_refused_with_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"not-bench-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, "[1, 2");
        try
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => BenchJson.ReadAsync(path, CancellationToken.None));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
