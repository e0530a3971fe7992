namespace Recommender.Reporting.Tests;

public sealed class TrainingRunTests
{
    [Fact]
    public void Reads_curves_metrics_and_timings()
    {
        var run = TrainingRun.Parse(Fixture.Text("metrics.json"));

        Assert.Equal(("movielens", 3L, "synthetic-fixture"), (run.Model, run.Version, run.Dataset));
        Assert.Equal(0.9101, run.Metrics["mf.rmse"]);
        Assert.Equal([1, 2, 3], run.MfEpochs.Select(e => e.Epoch));
        Assert.Equal(0.81, run.MfEpochs[2].TrainMse);
        Assert.Equal(0.9301, run.MfEpochs[2].ValidationRmse);
        // A null validation RMSE (no validation that epoch) stays missing, not zero.
        Assert.Null(run.NeuralEpochs[1].ValidationRmse);
        Assert.Equal(12.5, run.TotalSeconds);
    }

    [Fact]
    public void Missing_sections_give_empty_curves_and_invalid_json_is_refused()
    {
        var run = TrainingRun.Parse("""{ "model": "m" }""");
        Assert.Empty(run.MfEpochs);
        Assert.Empty(run.Metrics);
        Assert.Throws<InvalidDataException>(() => TrainingRun.Parse("{ nope"));
        Assert.Throws<InvalidDataException>(() => TrainingRun.Parse("[]"));
    }
}
