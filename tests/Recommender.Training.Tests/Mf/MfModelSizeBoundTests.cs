using Recommender.Data;
using Recommender.Models.Repository;
using Recommender.Training.Mf;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Tests.Mf;

/// <summary>Bayesian MF keeps its model within MaxModelBytes by thinning the samples it averages.</summary>
public sealed class MfModelSizeBoundTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("recommender-mf-size-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ML_100K_keeps_every_sample_and_ML_25M_is_thinned_within_the_bound()
    {
        var defaults = MfTrainingOptions.BayesianDefaults;

        Assert.Same(defaults, defaults.ForData(943, 1682));

        var large = defaults.ForData(162_000, 62_000);
        var samples = (defaults.Epochs - defaults.BurnIn) / large.SampleEvery;
        var bytes = (162_000L + 62_000) * defaults.Factors * sizeof(float) * samples;
        Assert.True(bytes <= defaults.MaxModelBytes, $"{samples} samples: {bytes} bytes");
        // Thinned no further than the bound needs: one sample more would not fit.
        var denser = (defaults.Epochs - defaults.BurnIn) / (large.SampleEvery - 1);
        Assert.True((162_000L + 62_000) * defaults.Factors * sizeof(float) * denser > defaults.MaxModelBytes);
    }

    [Fact]
    public void Thinning_never_lowers_an_explicit_sample_every_and_leaves_other_variants_alone()
    {
        var explicitThinning = MfTrainingOptions.BayesianDefaults with { SampleEvery = 45 };
        Assert.Equal(45, explicitThinning.ForData(162_000, 62_000).SampleEvery);

        var biased = MfTrainingOptions.BiasedDefaults with { MaxModelBytes = 1 };
        Assert.Same(biased, biased.ForData(162_000, 62_000));

        // A bound below one sample still keeps one.
        var tiny = MfTrainingOptions.BayesianDefaults with { MaxModelBytes = 1 };
        Assert.Equal(1, (tiny.Epochs - tiny.BurnIn) / tiny.ForData(100, 100).SampleEvery);
    }

    [Fact]
    public void The_pipeline_trains_the_thinned_chain_and_the_manifest_records_it()
    {
        var data = Path.Combine(_root, "data");
        new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 80, Items = 120, Ratings = 4000, Seed = 5 }).Generate(data);
        // 200 users and items x 4 factors x 4 bytes = 3,200 bytes a sample; room for 3 of the 10 after burn-in.
        var options = MfTrainingOptions.BayesianDefaults with { Factors = 4, Epochs = 12, BurnIn = 2, MaxModelBytes = 3 * 3200 };
        var request = new TrainingRequest("size", data, SplitSpec.Parse("none"), 4, options, null);

        var outcome = TrainingPipeline.Run(request, new ModelRepository(Path.Combine(_root, "models"), TimeProvider.System));

        Assert.Equal("4", outcome.Manifest.HyperParameters["mf.sample_every"]); // ⌈10 / 3⌉
        var model = outcome.Model<MfTrainedModel>()!.Result.Model;
        Assert.Equal(4 * (10 / 4), model.Factors); // 2 samples kept (sweeps 6 and 10) of 4 factors
        Assert.True((model.UserCount + model.ItemCount) * (long)model.Factors * sizeof(float) <= options.MaxModelBytes);
    }
}
