using Recommender.Data;
using Recommender.Training.Mf;

namespace Recommender.Training.Tests.Mf;

public sealed class MfBiasedVariantTests
{
    private const double Sigma = 0.3;

    // Wide rating range: planted scores plus noise leave [1, 5] now and then, and clipping them
    // would add error that has nothing to do with recovering the model.
    private static readonly MfTrainingOptions Options = new()
    {
        Variant = MfVariant.Biased,
        Factors = 8,
        Epochs = 60,
        LearningRate = 0.04f,
        LearningRateDecay = 0.97f,
        Regularization = 0.02f,
        InitStd = 0.1f,
        MinRating = -10f,
        MaxRating = 10f,
        Seed = 1,
    };

    private static readonly Lazy<(IndexedRatings Train, IndexedRatings Test)> Planted =
        new(() => PlantedRatings.Create(400, 300, 60000, 5, Sigma, seed: 2));

    [Fact]
    public void Recovers_a_planted_model_to_the_noise_level()
    {
        var (train, test) = Planted.Value;

        var result = MfTrainer.Train(train, test, Options with { Deterministic = true });

        var rmse = MfEvaluator.Rmse(result.Model, test);
        Assert.True(rmse <= Sigma * 1.1, $"held-out RMSE {rmse:F4} vs noise {Sigma}");
        Assert.NotNull(result.Model.Biases);
        Assert.Equal(Mean(train.Values), result.Model.Biases!.GlobalMean, 5);
        Assert.Equal(rmse, result.Epochs[^1].ValidationRmse!.Value, 6);
        Assert.Equal(1, result.Threads);
    }

    [Fact]
    public void Two_threads_reach_the_single_thread_accuracy()
    {
        var (train, test) = Planted.Value;

        var single = MfTrainer.Train(train, test, Options with { Deterministic = true });
        var parallel = MfTrainer.Train(train, test, Options with { Threads = 2 });

        Assert.Equal(2, parallel.Threads);
        var a = MfEvaluator.Rmse(single.Model, test);
        var b = MfEvaluator.Rmse(parallel.Model, test);
        Assert.True(Math.Abs(a - b) < 0.01, $"single {a:F4} vs parallel {b:F4}");
    }

    [Fact]
    public void Parallel_blocks_give_exactly_the_sequential_result_of_the_same_schedule()
    {
        // Blocks of one round share no user and no item, so however the threads interleave, the
        // result equals running the same blocks in order on one thread. A race would break this.
        var (train, _) = Planted.Value;
        var options = Options with { Epochs = 5 };

        var parallel = MfTrainer.Train(train, null, options with { Threads = 2, BlockCountOverride = 4 });
        var sequential = MfTrainer.Train(train, null, options with { Threads = 1, BlockCountOverride = 4 });

        Assert.Equal(2, parallel.Threads);
        Assert.Equal(sequential.Model.UserFactors, parallel.Model.UserFactors);
        Assert.Equal(sequential.Model.ItemFactors, parallel.Model.ItemFactors);
        Assert.Equal(sequential.Model.Biases!.User, parallel.Model.Biases!.User);
        Assert.Equal(sequential.Model.Biases.Item, parallel.Model.Biases.Item);
    }

    [Fact]
    public void One_step_follows_the_surprise_update()
    {
        // One rating 4 of user 0 on item 0, μ = 4 (the mean of the single rating), biases 0,
        // p = (1, 2), q = (0.5, 1), lr = 0.1, reg = 0.5:
        // err = 4 - (4 + 0 + 0 + 2.5) = -2.5 (unclipped)
        // b_u = b_i = 0 + 0.1 * (-2.5 - 0) = -0.25
        // p' = p + 0.1 (err q - 0.5 p) = (1 + 0.1(-1.25 - 0.5), 2 + 0.1(-2.5 - 1)) = (0.825, 1.65)
        // q' = q + 0.1 (err p - 0.5 q)  <- the OLD p = (0.5 + 0.1(-2.5 - 0.25), 1 + 0.1(-5 - 0.5)) = (0.225, 0.45)
        var ratings = new IndexedRatings([0], [0], [4f], 1, 1);
        var options = new MfTrainingOptions { Variant = MfVariant.Biased, Factors = 2, Epochs = 1, LearningRate = 0.1f, Regularization = 0.5f, Deterministic = true };

        var model = MfTrainer.Train(ratings, null, options, null, [1f, 2f], [0.5f, 1f], CancellationToken.None).Model;

        Assert.Equal(4f, model.Biases!.GlobalMean);
        Assert.Equal(-0.25f, model.Biases.User[0], 6);
        Assert.Equal(-0.25f, model.Biases.Item[0], 6);
        Assert.Equal([0.825f, 1.65f], model.UserFactors);
        Assert.Equal(0.225f, model.ItemFactors[0], 6);
        Assert.Equal(0.45f, model.ItemFactors[1], 6);
    }

    [Fact]
    public void Early_stopping_restores_the_best_epoch()
    {
        // Pure noise with no penalty and a large step: validation error rises once the model
        // starts memorizing, so training must stop and hand back the best epoch's parameters.
        var (train, test) = PlantedRatings.Create(60, 60, 2000, 1, 1.0, seed: 4);
        var options = new MfTrainingOptions
        {
            Variant = MfVariant.Biased,
            Factors = 40,
            Epochs = 200,
            LearningRate = 0.05f,
            Regularization = 0f,
            InitStd = 0.1f,
            EarlyStoppingPatience = 3,
            Deterministic = true,
        };

        var result = MfTrainer.Train(train, test, options);

        Assert.True(result.StoppedEarly);
        Assert.Equal(result.BestEpoch + 3, result.Epochs.Count);
        var best = result.Epochs.MinBy(e => e.ValidationRmse)!;
        Assert.Equal(best.Epoch, result.BestEpoch);
        Assert.Equal(best.ValidationRmse!.Value, MfEvaluator.Rmse(result.Model, test), 5);
        Assert.True(MfEvaluator.Rmse(result.Model, test) < result.Epochs[^1].ValidationRmse!.Value);
    }

    [Fact]
    public void Progress_reports_every_epoch_in_order()
    {
        var (train, test) = Planted.Value;
        var seen = new List<MfEpochReport>();

        var result = MfTrainer.Train(train, test, Options with { Epochs = 4, Threads = 2 }, new SyncProgress(seen.Add));

        Assert.Equal([1, 2, 3, 4], seen.Select(r => r.Epoch));
        Assert.Equal(result.Epochs, seen);
        Assert.Equal(4L * train.Count, result.Updates);
        Assert.Equal(4, result.BestEpoch);
        Assert.All(seen, r => Assert.True(r.UpdatesPerSecond > 0 && r.ValidationMae > 0 && r.TrainMse > 0));
        Assert.Equal(Options.LearningRate * 0.97f * 0.97f, seen[2].LearningRate, 6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Cancellation_stops_training_between_epochs(int threads)
    {
        var (train, _) = Planted.Value;
        using var cancellation = new CancellationTokenSource();
        var epochs = 0;

        Assert.Throws<OperationCanceledException>(() => MfTrainer.Train(
            train,
            null,
            Options with { Threads = threads },
            new SyncProgress(r =>
            {
                epochs = r.Epoch;
                if (r.Epoch == 2)
                {
                    cancellation.Cancel();
                }
            }),
            cancellation.Token));
        Assert.Equal(2, epochs);
    }

    [Fact]
    public void Cancellation_mid_epoch_throws_without_hanging_the_workers()
    {
        var (train, _) = PlantedRatings.Create(2000, 2000, 400000, 5, 0.3, seed: 9);
        using var cancellation = new CancellationTokenSource();
        var epochs = 0;
        var options = Options with { Threads = 2, Factors = 64, Epochs = 100_000 };

        // A dedicated thread cancels, so the test does not depend on a free thread-pool thread
        // for a timer while other tests keep the pool busy.
        var canceller = new Thread(() =>
        {
            Thread.Sleep(50);
            cancellation.Cancel();
        });
        canceller.Start();
        Assert.Throws<OperationCanceledException>(() => MfTrainer.Train(train, null, options, new SyncProgress(r => epochs = r.Epoch), cancellation.Token));
        canceller.Join();

        Assert.True(epochs < options.Epochs);
    }

    [Fact]
    public void Already_cancelled_token_throws_before_training()
    {
        var (train, _) = Planted.Value;
        Assert.Throws<OperationCanceledException>(() => MfTrainer.Train(train, null, Options, null, new CancellationToken(canceled: true)));
    }

    private static float Mean(float[] values) => (float)values.Average(v => (double)v);

    private sealed class SyncProgress(Action<MfEpochReport> report) : IProgress<MfEpochReport>
    {
        public void Report(MfEpochReport value) => report(value);
    }
}
