using Recommender.Data;
using Recommender.Models.Neural;
using Recommender.Training.Neural;

namespace Recommender.Training.Tests;

public sealed class NeuralTrainerTests
{
    private static readonly (IndexedRatings Train, IndexedRatings Validation) Planted =
        NeuralTestData.Planted(users: 150, items: 200, count: 12_000);

    [Fact]
    public void Training_on_planted_data_beats_the_global_mean_baseline()
    {
        var (train, validation) = Planted;
        var reports = new List<NeuralEpochReport>();
        var result = NeuralTrainer.Train(
            train, validation, new NeuralTrainingOptions(), new SyncProgress<NeuralEpochReport>(reports.Add));

        var baseline = NeuralTestData.GlobalMeanRmse(train, validation);
        var final = result.FinalReport.ValidationRmse!.Value;
        Assert.True(final < 0.6 * baseline, $"validation RMSE {final:F4} vs global-mean baseline {baseline:F4}");
        Assert.True(result.Epochs[^1].TrainMse < result.Epochs[0].TrainMse);

        Assert.Equal(10, result.Epochs.Count);
        Assert.Equal(result.Epochs, reports);
        Assert.Equal(Enumerable.Range(1, 10), reports.Select(r => r.Epoch));
        Assert.All(reports, r => Assert.NotNull(r.ValidationMae));
        Assert.False(result.StoppedEarly);
        Assert.Equal(10, result.WeightsEpoch);
        Assert.Equal(reports.MinBy(r => r.ValidationRmse)!.Epoch, result.BestEpoch);
        Assert.True(result.Elapsed > TimeSpan.Zero);

        // The returned weights are the ones that were evaluated.
        var predictions = NeuralTrainer.PredictWithTorch(result.Weights, validation);
        Assert.Equal(final, Rmse(predictions, validation.Values), 6);
    }

    [Fact]
    public void Same_seed_gives_bit_identical_weights_and_another_seed_does_not()
    {
        var (train, validation) = Planted;
        var options = new NeuralTrainingOptions { Epochs = 2, Dropout = 0.1, Seed = 5 };
        var first = NeuralTrainer.Train(train, validation, options);
        var second = NeuralTrainer.Train(train, validation, options);
        var other = NeuralTrainer.Train(train, validation, options with { Seed = 6 });

        Assert.Equal(Bits(first.Weights), Bits(second.Weights));
        Assert.Equal(first.Epochs.Select(e => e.TrainMse), second.Epochs.Select(e => e.TrainMse));
        Assert.NotEqual(Bits(first.Weights), Bits(other.Weights));
    }

    [Fact]
    public void Early_stopping_stops_after_patience_and_restores_the_best_epoch()
    {
        // Pure noise with big embeddings overfits: validation RMSE bottoms out, then rises.
        var (train, validation) = NeuralTestData.Noise(users: 40, items: 40, count: 1_500);
        var options = new NeuralTrainingOptions
        {
            Epochs = 60, BatchSize = 32, LearningRate = 1e-2, EmbeddingDim = 32, EarlyStoppingPatience = 3,
        };

        var result = NeuralTrainer.Train(train, validation, options);

        Assert.True(result.StoppedEarly, $"ran all {result.Epochs.Count} epochs");
        Assert.Equal(result.BestEpoch + 3, result.Epochs.Count);
        Assert.Equal(result.BestEpoch, result.WeightsEpoch);
        var best = result.Epochs.Min(e => e.ValidationRmse!.Value);
        Assert.Equal(best, result.FinalReport.ValidationRmse);
        Assert.True(result.Epochs[^1].ValidationRmse > best);

        var predictions = NeuralTrainer.PredictWithTorch(result.Weights, validation);
        Assert.Equal(best, Rmse(predictions, validation.Values), 6);
    }

    [Fact]
    public void Cancellation_is_observed_between_batches()
    {
        var (train, validation) = Planted;
        using var cts = new CancellationTokenSource();
        var epochs = 0;
        var progress = new SyncProgress<NeuralEpochReport>(_ =>
        {
            epochs++;
            cts.Cancel();
        });

        Assert.ThrowsAny<OperationCanceledException>(
            () => NeuralTrainer.Train(train, validation, new NeuralTrainingOptions { Epochs = 50 }, progress, cts.Token));
        Assert.Equal(1, epochs);

        Assert.ThrowsAny<OperationCanceledException>(
            () => NeuralTrainer.Train(train, validation, new NeuralTrainingOptions(), null, cts.Token));
    }

    [Fact]
    public void Cancellation_stops_an_epoch_midway()
    {
        // Batch size 1: one epoch is ~9,600 optimizer steps, seconds of work.
        var (train, _) = Planted;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var reports = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => NeuralTrainer.Train(
            train, null, new NeuralTrainingOptions { Epochs = 1, BatchSize = 1 }, new SyncProgress<NeuralEpochReport>(_ => reports++), cts.Token));
        Assert.Equal(0, reports);
    }

    [Fact]
    public void Default_options_are_the_notebooks_and_valid()
    {
        var options = new NeuralTrainingOptions();
        Assert.Empty(options.GetErrors());
        Assert.Equal(20, options.EmbeddingDim);
        Assert.Equal([64, 32], options.HiddenSizes);
        Assert.Equal(10, options.Epochs);
        Assert.Equal(256, options.BatchSize);
        Assert.Equal(1e-3, options.LearningRate);
        Assert.Equal(1, options.Threads);
        Assert.Null(options.EarlyStoppingPatience);
    }

    public static TheoryData<NeuralTrainingOptions, string> InvalidOptions => new()
    {
        { new NeuralTrainingOptions { EmbeddingDim = 0 }, "EmbeddingDim" },
        { new NeuralTrainingOptions { HiddenSizes = [64, 0] }, "HiddenSizes[1]" },
        { new NeuralTrainingOptions { Epochs = 0 }, "Epochs" },
        { new NeuralTrainingOptions { BatchSize = -1 }, "BatchSize" },
        { new NeuralTrainingOptions { LearningRate = 0 }, "LearningRate" },
        { new NeuralTrainingOptions { LearningRate = double.NaN }, "LearningRate" },
        { new NeuralTrainingOptions { Dropout = 1 }, "Dropout" },
        { new NeuralTrainingOptions { WeightDecay = -0.1 }, "WeightDecay" },
        { new NeuralTrainingOptions { Threads = 0 }, "Threads" },
        { new NeuralTrainingOptions { EarlyStoppingPatience = 0 }, "EarlyStoppingPatience" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_refused_with_a_message_naming_the_option(NeuralTrainingOptions options, string name)
    {
        var (train, validation) = Planted;
        var error = Assert.Throws<ArgumentException>(() => NeuralTrainer.Train(train, validation, options));
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Single(options.GetErrors());
    }

    [Fact]
    public void Bad_data_is_refused_with_clear_messages()
    {
        var (train, _) = Planted;
        var outOfRange = new IndexedRatings([0, 150], [0, 1], [3f, 4f], 150, 200);
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => NeuralTrainer.Train(outOfRange, null, new NeuralTrainingOptions()));
        Assert.Contains("user index 150", error.Message, StringComparison.Ordinal);

        var empty = new IndexedRatings([], [], [], 150, 200);
        Assert.Throws<ArgumentException>(() => NeuralTrainer.Train(empty, null, new NeuralTrainingOptions()));

        var patienceWithoutValidation = Assert.Throws<ArgumentException>(
            () => NeuralTrainer.Train(train, null, new NeuralTrainingOptions { EarlyStoppingPatience = 2 }));
        Assert.Contains("validation", patienceWithoutValidation.Message, StringComparison.Ordinal);
    }

    private static double Rmse(float[] predictions, float[] values) =>
        Math.Sqrt(predictions.Zip(values, (p, v) => ((double)p - v) * ((double)p - v)).Average());

    private static int[] Bits(NeuralWeights weights) =>
        weights.UserEmbedding
            .Concat(weights.ItemEmbedding)
            .Concat(weights.Layers.SelectMany(l => l.Weight.Concat(l.Bias)))
            .Select(BitConverter.SingleToInt32Bits)
            .ToArray();

    /// <summary>Reports on the calling thread, unlike <see cref="Progress{T}"/>.</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
