using Recommender.Data;
using Recommender.Jobs;
using Recommender.Training.Blend;
using Recommender.Training.Mf;
using Recommender.Training.Neural;

namespace Recommender.TrainerService.Tests;

/// <summary>
/// The model-memory estimate counts what `train all` really holds: NeuMF's GMF and bias tables
/// beside its embeddings, and the blend's autoencoder with its dense item × user matrices unless
/// the catalog is too large for it (then the blend leaves it out, and so does the estimate).
/// </summary>
public sealed class ModelMemoryEstimateTests
{
    [Fact]
    public void NeuMF_counts_its_gmf_and_bias_tables_beside_the_embeddings()
    {
        var seed = Estimate(new ValidatedJob("m", SplitSpec.Parse("none"), null, NeuralTrainingOptions.SeedDefaults with { EmbeddingDim = 20 }));
        var neuMf = Estimate(new ValidatedJob("m", SplitSpec.Parse("none"), null,
            NeuralTrainingOptions.NeuMfDefaults with { EmbeddingDim = 20, GmfDim = 8, HiddenSizes = [64, 32], Ensemble = 1 }));
        var ensemble = Estimate(new ValidatedJob("m", SplitSpec.Parse("none"), null,
            NeuralTrainingOptions.NeuMfDefaults with { EmbeddingDim = 20, GmfDim = 8, HiddenSizes = [64, 32], Ensemble = 3 }));

        // (users + items) × (gmf + bias) floats, four copies: weights, gradients, Adam's two moments.
        Assert.Equal((1000 + 500) * (8 + 1) * 4 * 4, neuMf.NeuralWeightBytes - seed.NeuralWeightBytes, 6);
        // An ensemble keeps two more finished networks' weights (one copy each) beside the one training.
        Assert.Equal(2 * (neuMf.NeuralWeightBytes / 4), ensemble.NeuralWeightBytes - neuMf.NeuralWeightBytes, 6);
    }

    [Fact]
    public void The_blend_autoencoder_counts_its_dense_matrices_only_when_it_would_train()
    {
        var job = new ValidatedJob("m", SplitSpec.Parse("none"), null, null)
        {
            Blend = new BlendTrainingOptions { AutoRec = new AutoRecOptions { Hidden = 10 } },
        };
        var small = ModelMemoryEstimate.Of(1000, 500, job);
        Assert.Equal((1000.0 * 500 * 16) + (2.0 * 1000 * 10 * 16), small.AutoRecBytes);
        Assert.Equal(small.AutoRecBytes, small.TotalBytes);
        Assert.Equal("blend.autorec", small.LargestField);

        // 162 k users × 62 k items is 160 GB dense: over MaxDenseBytes, the member is left out.
        Assert.Equal(0, ModelMemoryEstimate.Of(162_000, 62_000, job).AutoRecBytes);
        Assert.Equal(0, ModelMemoryEstimate.Of(1000, 500, job with { Blend = new BlendTrainingOptions { AutoRec = null } }).AutoRecBytes);
    }

    [Fact]
    public void Bayesian_MF_counts_its_kept_samples_thinned_to_the_model_bound()
    {
        var bayesian = MfTrainingOptions.BayesianDefaults;
        var biased = Estimate(new ValidatedJob("m", SplitSpec.Parse("none"), bayesian with { Variant = MfVariant.Biased }, null));
        var small = Estimate(new ValidatedJob("m", SplitSpec.Parse("none"), bayesian, null));

        // 1,500 rows keep all 90 samples of k = 10: the samples and the averaged model, plus the chain.
        Assert.Equal((1500.0 * 11 * 8) + (2.0 * 1500 * 10 * 90 * 4), small.MfBytes);
        Assert.True(small.MfBytes > 10 * biased.MfBytes);

        // At 25 M-rating size the samples are thinned to MaxModelBytes, so the estimate stays near twice it.
        var large = ModelMemoryEstimate.Of(162_000, 62_000, new ValidatedJob("m", SplitSpec.Parse("none"), bayesian, null));
        Assert.InRange(large.MfBytes, bayesian.MaxModelBytes, (2.0 * bayesian.MaxModelBytes) + (224_000.0 * 11 * 8));
    }

    [Fact]
    public void The_export_counts_its_first_layer_part_tables_per_member()
    {
        var options = NeuralTrainingOptions.NeuMfDefaults with { EmbeddingDim = 20, GmfDim = 8, HiddenSizes = [48, 16], Ensemble = 3 };
        var estimate = Estimate(new ValidatedJob("m", SplitSpec.Parse("none"), null, options));
        var linear = Estimate(new ValidatedJob("m", SplitSpec.Parse("none"), null, options with { HiddenSizes = [] }));

        // (users + items) × first hidden size floats per member, twice: the members' tables and the stacked one.
        Assert.Equal((1000 + 500) * 48 * 3 * 4 * 2, estimate.NeuralExportBytes, 6);
        Assert.Equal(estimate.NeuralWeightBytes + estimate.NeuralBatchBytes + estimate.NeuralExportBytes, estimate.TotalBytes, 6);
        // A network without hidden layers has no first layer to precompute.
        Assert.Equal(0, linear.NeuralExportBytes);
    }

    private static ModelMemoryEstimate Estimate(ValidatedJob job) => ModelMemoryEstimate.Of(1000, 500, job);
}
