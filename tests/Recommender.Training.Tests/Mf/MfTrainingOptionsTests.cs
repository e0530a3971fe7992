using Recommender.Data;
using Recommender.Training.Mf;

namespace Recommender.Training.Tests.Mf;

public sealed class MfTrainingOptionsTests
{
    public static TheoryData<MfTrainingOptions, string> Invalid => new()
    {
        { new MfTrainingOptions { Factors = 0 }, nameof(MfTrainingOptions.Factors) },
        { new MfTrainingOptions { Factors = MfTrainingOptions.MaxFactors + 1 }, nameof(MfTrainingOptions.Factors) },
        { new MfTrainingOptions { Epochs = 0 }, nameof(MfTrainingOptions.Epochs) },
        { new MfTrainingOptions { LearningRate = 0f }, nameof(MfTrainingOptions.LearningRate) },
        { new MfTrainingOptions { LearningRate = float.NaN }, nameof(MfTrainingOptions.LearningRate) },
        { new MfTrainingOptions { LearningRateDecay = 1.5f }, nameof(MfTrainingOptions.LearningRateDecay) },
        { new MfTrainingOptions { Regularization = -0.1f }, nameof(MfTrainingOptions.Regularization) },
        { new MfTrainingOptions { InitStd = -1f }, nameof(MfTrainingOptions.InitStd) },
        { new MfTrainingOptions { Threads = -1 }, nameof(MfTrainingOptions.Threads) },
        { new MfTrainingOptions { EarlyStoppingPatience = -1 }, nameof(MfTrainingOptions.EarlyStoppingPatience) },
        { new MfTrainingOptions { MinRating = 5f, MaxRating = 1f }, nameof(MfTrainingOptions.MinRating) },
        { new MfTrainingOptions { Variant = (MfVariant)7 }, nameof(MfTrainingOptions.Variant) },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_options_are_refused_by_name(MfTrainingOptions options, string option)
    {
        var ratings = new IndexedRatings([0], [0], [3f], 1, 1);

        var error = Assert.Throws<ArgumentException>(() => MfTrainer.Train(ratings, null, options));

        Assert.Equal(option, error.ParamName);
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_valid_and_the_seed_defaults_are_the_notebook()
    {
        MfTrainingOptions.BiasedDefaults.Validate();
        var seed = MfTrainingOptions.SeedDefaults;
        seed.Validate();

        Assert.Equal(MfVariant.Seed, seed.Variant);
        Assert.Equal(15, seed.Factors);
        Assert.Equal(0.01f, seed.LearningRate);
        Assert.Equal(0.1f, seed.Regularization);
        Assert.Equal(20, seed.Epochs);
        Assert.Equal(1f / 15, seed.EffectiveInitStd);
        Assert.Equal(1f / 30, (seed with { Factors = 30 }).EffectiveInitStd);
        Assert.Equal(MfVariant.Biased, MfTrainingOptions.BiasedDefaults.Variant);
    }

    [Fact]
    public void Early_stopping_without_validation_is_refused()
    {
        var ratings = new IndexedRatings([0], [0], [3f], 1, 1);

        var error = Assert.Throws<ArgumentException>(() => MfTrainer.Train(ratings, null, new MfTrainingOptions { EarlyStoppingPatience = 2 }));

        Assert.Contains(nameof(MfTrainingOptions.EarlyStoppingPatience), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_range_indices_are_refused_before_training()
    {
        var train = new IndexedRatings([0, 2], [0, 0], [3f, 4f], 2, 1);
        var valid = new IndexedRatings([0], [0], [3f], 1, 1);
        var badValidation = new IndexedRatings([0], [3], [3f], 1, 4);

        Assert.Equal("train", Assert.Throws<ArgumentException>(() => MfTrainer.Train(train, null, new MfTrainingOptions())).ParamName);
        Assert.Equal("validation", Assert.Throws<ArgumentException>(() => MfTrainer.Train(valid, badValidation, new MfTrainingOptions())).ParamName);
        Assert.Throws<ArgumentException>(() => MfTrainer.Train(new IndexedRatings([], [], [], 1, 1), null, new MfTrainingOptions()));
    }
}
