using Recommender.Data;
using Recommender.Training.Mf;

namespace Recommender.Training.Tests.Mf;

public sealed class MfBayesianVariantTests
{
    private const double Sigma = 0.3;

    private static readonly MfTrainingOptions Options = MfTrainingOptions.BayesianDefaults with
    {
        Factors = 6,
        Epochs = 40,
        BurnIn = 10,
        MinRating = -10f,
        MaxRating = 10f,
        Seed = 3,
    };

    private static readonly Lazy<(IndexedRatings Train, IndexedRatings Test)> Planted =
        new(() => PlantedRatings.Create(300, 250, 40000, 5, Sigma, seed: 4));

    [Fact]
    public void Recovers_a_planted_model_to_the_noise_level_without_tuned_regularization()
    {
        var (train, test) = Planted.Value;

        var result = MfTrainer.Train(train, test, Options);

        var rmse = MfEvaluator.Rmse(result.Model, test);
        Assert.True(rmse <= Sigma * 1.1, $"held-out RMSE {rmse:F4} vs noise {Sigma}");
        // The exported model is the posterior mean, reduced in rank at no measurable cost.
        Assert.Equal(rmse, result.ExportedValidationRmse!.Value, 6);
        Assert.True(rmse <= result.Epochs[^1].ValidationRmse!.Value + 0.0005);
    }

    [Fact]
    public void Thinned_to_one_sample_it_exports_the_factor_mean_of_every_sweep_when_validation_prefers_it()
    {
        var (train, test) = Planted.Value;
        // Room for one sample of (300 + 250) rows x 6 factors: the chain is thinned to every 30th sweep.
        var options = (Options with { MaxModelBytes = 550 * 6 * 4 }).ForData(train.UserCount, train.ItemCount);
        Assert.Equal(30, options.SampleEvery);

        var result = MfTrainer.Train(train, test, options);

        // One sample alone is noisy; the mean of 30 sweeps' rows is a 6-column model that beats it.
        Assert.Equal("factor-mean", result.PosteriorExport);
        Assert.Equal(6, result.Model.Factors);
        Assert.Equal(MfEvaluator.Rmse(result.Model, test), result.ExportedValidationRmse!.Value, 6);
        Assert.True(result.ExportedValidationRmse < result.OtherCandidateValidationRmse,
            $"factor mean {result.ExportedValidationRmse:F4} vs one sample {result.OtherCandidateValidationRmse:F4}");
        Assert.Equal(result.OtherCandidateValidationRmse!.Value, result.Epochs[^1].ValidationRmse!.Value, 6);
    }

    [Fact]
    public void Unthinned_it_exports_the_samples_and_offers_no_other_candidate()
    {
        var (train, test) = Planted.Value;

        var result = MfTrainer.Train(train, test, Options with { Epochs = 14, ReducePosteriorRank = false });

        Assert.Equal("samples", result.PosteriorExport);
        Assert.Null(result.OtherCandidateValidationRmse);
        Assert.Equal(4 * 6, result.Model.Factors);
    }

    [Fact]
    public void The_model_is_the_samples_side_by_side()
    {
        var (train, test) = Planted.Value;

        var result = MfTrainer.Train(train, test, Options with { SampleEvery = 5, ReducePosteriorRank = false });

        // 30 sweeps after burn-in, every 5th kept: 6 samples of 6 factors.
        Assert.Equal(36, result.Model.Factors);
        Assert.Equal(Mean(train.Values), result.Model.Biases!.GlobalMean, 4);
    }

    [Fact]
    public void A_seed_gives_the_same_model_on_one_thread_or_two()
    {
        var (train, test) = Planted.Value;
        var options = Options with { Epochs = 12, BurnIn = 6 };

        var one = MfTrainer.Train(train, test, options with { Threads = 1 });
        var two = MfTrainer.Train(train, test, options with { Threads = 2 });
        var other = MfTrainer.Train(train, test, options with { Threads = 2, Seed = 4 });

        Assert.Equal(one.Model.UserFactors, two.Model.UserFactors);
        Assert.Equal(one.Model.ItemFactors, two.Model.ItemFactors);
        Assert.Equal(one.Model.Biases!.User, two.Model.Biases!.User);
        Assert.NotEqual(one.Model.UserFactors, other.Model.UserFactors);
    }

    [Fact]
    public void Early_stopping_keeps_the_samples_of_the_best_validation_sweep()
    {
        var (train, test) = Planted.Value;

        var result = MfTrainer.Train(train, test, Options with { Epochs = 200, EarlyStoppingPatience = 3, ReducePosteriorRank = false });

        var best = result.Epochs.Skip(Options.BurnIn).MinBy(e => e.ValidationRmse!.Value)!;
        Assert.Equal(best.Epoch, result.BestEpoch);
        Assert.Equal((best.Epoch - Options.BurnIn) * Options.Factors, result.Model.Factors);
        Assert.Equal(best.ValidationRmse!.Value, MfEvaluator.Rmse(result.Model, test), 4);
    }

    [Fact]
    public void The_samples_are_exported_at_the_smallest_rank_that_keeps_their_validation_rmse()
    {
        var (train, test) = Planted.Value;

        var result = MfTrainer.Train(train, test, Options);

        // 30 samples of a planted rank-5 model fitted with k = 6: the averaged scores are nearly
        // rank 5, so k columns already keep what 180 do.
        Assert.Equal(180, result.SamplesFactors);
        Assert.Equal($"samples-rank-{result.Model.Factors}", result.PosteriorExport);
        Assert.Equal(Options.Factors, result.Model.Factors);
        Assert.Equal(result.Epochs[^1].ValidationRmse!.Value, result.SamplesValidationRmse!.Value, 9);
        Assert.InRange(result.ExportedValidationRmse!.Value, 0, result.SamplesValidationRmse.Value + 0.0005);
        Assert.Equal(MfEvaluator.Rmse(result.Model, test), result.ExportedValidationRmse.Value, 9);
        // The biases are the samples' averages, untouched by the reduction.
        var full = MfTrainer.Train(train, test, Options with { ReducePosteriorRank = false });
        Assert.Equal(full.Model.Biases!.Item, result.Model.Biases!.Item);
    }

    private static double Mean(float[] values) => values.Average(v => (double)v);
}
