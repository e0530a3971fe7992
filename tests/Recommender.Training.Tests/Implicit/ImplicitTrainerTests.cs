using Recommender.Data;
using Recommender.Models.Implicit;
using Recommender.Training.Implicit;

namespace Recommender.Training.Tests.Implicit;

public sealed class ImplicitTrainerTests
{
    private static readonly Lazy<TrainingSet> Small = new(() =>
        TrainingSet.Build(PlantedInteractions.Create(users: 200, items: 300, rank: 6, meanPerUser: 25, exposure: 1.0, seed: 11)));

    private static ImplicitTrainingOptions Quick => new() { Factors = 12, Epochs = 6, Seed = 5 };

    [Fact]
    public void The_exact_solver_never_raises_the_loss()
    {
        var result = ImplicitTrainer.Train(Small.Value.Train, null, Quick with { Solver = ImplicitSolver.Cholesky, Epochs = 10 });

        Assert.Equal(10, result.Epochs.Count);
        Assert.Equal(Enumerable.Range(1, 10), result.Epochs.Select(e => e.Epoch));
        for (var e = 1; e < result.Epochs.Count; e++)
        {
            Assert.True(result.Epochs[e].Loss <= result.Epochs[e - 1].Loss * (1 + 1e-6),
                $"epoch {e + 1}: {result.Epochs[e].Loss} after {result.Epochs[e - 1].Loss}");
        }

        Assert.True(result.Epochs[^1].Loss < 0.9 * result.Epochs[0].Loss, $"{result.Epochs[0].Loss} -> {result.Epochs[^1].Loss}");
    }

    [Fact]
    public void The_reported_loss_is_the_objective_summed_over_every_user_item_pair()
    {
        var train = Small.Value.Train;
        var options = Quick with { RatingThreshold = 3f, RegularizationExponent = 0.5f, Regularization = 0.2f, UnobservedWeight = 0.7f, Alpha = 2f };
        var result = ImplicitTrainer.Train(train, null, options);
        var model = result.Model;
        var p = model.Parameters;

        var confidence = new Dictionary<(int, int), double>();
        for (var r = 0; r < train.Count; r++)
        {
            if (p.IsInteraction(train.Values[r]))
            {
                confidence[(train.Users[r], train.Items[r])] = p.ConfidenceOf(train.Values[r]);
            }
        }

        double loss = 0;
        for (var u = 0; u < model.UserCount; u++)
        {
            for (var i = 0; i < model.ItemCount; i++)
            {
                double score = model.Score(u, i);
                loss += confidence.TryGetValue((u, i), out var c) ? c * (score - 1) * (score - 1) : p.UnobservedWeight * score * score;
            }
        }

        var userCounts = new int[model.UserCount];
        foreach (var (u, _) in confidence.Keys)
        {
            userCounts[u]++;
        }

        for (var u = 0; u < model.UserCount; u++)
        {
            loss += p.RowRegularization(userCounts[u], model.ItemCount) * Square(model.UserRow(u));
        }

        for (var i = 0; i < model.ItemCount; i++)
        {
            loss += p.RowRegularization(model.ItemInteractions[i], model.UserCount) * Square(model.ItemRow(i));
        }

        Assert.Equal(loss, result.Epochs[^1].Loss, loss * 1e-4);
    }

    [Fact]
    public void Conjugate_gradient_reaches_the_loss_of_the_exact_solver()
    {
        var exact = ImplicitTrainer.Train(Small.Value.Train, null, Quick with { Solver = ImplicitSolver.Cholesky, Epochs = 10 });
        var cg = ImplicitTrainer.Train(Small.Value.Train, null, Quick with { Solver = ImplicitSolver.ConjugateGradient, Epochs = 10 });

        Assert.InRange(cg.Epochs[^1].Loss / exact.Epochs[^1].Loss, 0.999, 1.01);
    }

    [Theory]
    [InlineData(ImplicitSolver.Cholesky)]
    [InlineData(ImplicitSolver.ConjugateGradient)]
    public void The_same_seed_gives_the_same_model_on_any_thread_count(ImplicitSolver solver)
    {
        var options = Quick with { Solver = solver };
        var one = ImplicitTrainer.Train(Small.Value.Train, Small.Value.TestKnown, options with { Threads = 1 });
        var three = ImplicitTrainer.Train(Small.Value.Train, Small.Value.TestKnown, options with { Threads = 3 });
        var other = ImplicitTrainer.Train(Small.Value.Train, null, options with { Seed = 6 });

        Assert.Equal(1, one.Threads);
        Assert.Equal(3, three.Threads);
        Assert.Equal(one.Model.UserFactors, three.Model.UserFactors);
        Assert.Equal(one.Model.ItemFactors, three.Model.ItemFactors);
        Assert.Equal(one.Epochs.Select(e => (e.Loss, e.ValidationPrecisionAt10, e.ValidationNdcgAt10)),
            three.Epochs.Select(e => (e.Loss, e.ValidationPrecisionAt10, e.ValidationNdcgAt10)));
        Assert.NotEqual(one.Model.ItemFactors, other.Model.ItemFactors);
    }

    [Fact]
    public void Folding_in_a_training_users_history_gives_back_their_trained_vector()
    {
        // The last half-step of an epoch solves the users against the final item factors, which is
        // exactly what fold-in does: with the exact solver the vectors agree to rounding.
        var train = Small.Value.Train;
        var model = ImplicitTrainer.Train(train, null, Quick with { Solver = ImplicitSolver.Cholesky, RatingThreshold = 3f }).Model;
        var cgModel = ImplicitTrainer.Train(train, null, Quick with { Epochs = 15, RatingThreshold = 3f }).Model;
        var foldIn = new ImplicitFoldIn(model);
        var cgFoldIn = new ImplicitFoldIn(cgModel);
        var k = model.Factors;
        var vector = new float[k];
        var worstCosine = 1.0;
        for (var user = 0; user < train.UserCount; user += 7)
        {
            var rows = Enumerable.Range(0, train.Count).Where(r => train.Users[r] == user).ToArray();
            int[] items = [.. rows.Select(r => train.Items[r])];
            float[] ratings = [.. rows.Select(r => train.Values[r])];

            foldIn.FoldIn(items, ratings, vector);
            var trained = model.UserRow(user);
            for (var f = 0; f < k; f++)
            {
                Assert.True(Math.Abs(trained[f] - vector[f]) <= 1e-5f + (1e-4f * Math.Abs(trained[f])), $"user {user}, factor {f}: {trained[f]} vs {vector[f]}");
            }

            // Conjugate gradient leaves each row a few steps short of the exact optimum.
            cgFoldIn.FoldIn(items, ratings, vector);
            worstCosine = Math.Min(worstCosine, Cosine(cgModel.UserRow(user), vector));
        }

        Assert.True(worstCosine > 0.999, $"worst cosine {worstCosine}");
    }

    [Fact]
    public void Epoch_reports_carry_the_evaluators_ranking_numbers_for_the_validation_part()
    {
        var set = Small.Value;
        var progress = new List<ImplicitEpochReport>();
        var result = ImplicitTrainer.Train(set.Train, set.TestKnown, Quick with { ValidationUsers = 10_000 }, new ListProgress(progress));

        Assert.Equal(result.Epochs, progress);
        var last = result.Epochs[^1];
        var model = result.Model;
        var reference = HeldOutEvaluator.EvaluateRanking(set, (users, items, scores) =>
        {
            for (var n = 0; n < users.Length; n++)
            {
                scores[n] = model.Score(users[n], items[n]);
            }
        }, maxRankingUsers: int.MaxValue);

        Assert.Equal(reference.UsersEvaluated, last.ValidationUsers);
        Assert.Equal(reference.PrecisionAtK, last.ValidationPrecisionAt10!.Value, 12);
        Assert.Equal(reference.NdcgAtK, last.ValidationNdcgAt10!.Value, 12);
        Assert.True(last.ValidationPrecisionAt10 > result.Epochs[0].ValidationPrecisionAt10);
        Assert.All(result.Epochs, e => Assert.True(e.Seconds >= e.SolveSeconds && e.SolveSeconds > 0));

        var sampled = ImplicitTrainer.Train(set.Train, set.TestKnown, Quick with { ValidationUsers = 50, Epochs = 1 });
        Assert.Equal(50, sampled.Epochs[0].ValidationUsers);
        var off = ImplicitTrainer.Train(set.Train, set.TestKnown, Quick with { ValidationUsers = 0, Epochs = 1 });
        Assert.Null(off.Epochs[0].ValidationPrecisionAt10);
        Assert.Equal(0, off.Epochs[0].ValidationUsers);
    }

    [Fact]
    public void The_model_keeps_what_fold_in_and_popularity_fallbacks_need()
    {
        var train = Small.Value.Train;
        var options = Quick with { RatingThreshold = 4f, Alpha = 2f, UnobservedWeight = 0.5f, RegularizationExponent = 0.5f, Regularization = 0.3f };
        var result = ImplicitTrainer.Train(train, null, options);
        var model = result.Model;

        Assert.Equal(options.SolveParameters, model.Parameters);
        var liked = Enumerable.Range(0, train.Count).Where(r => train.Values[r] >= 4f).ToArray();
        Assert.Equal(liked.Length, result.Interactions);
        Assert.Equal(liked.Average(r => (double)train.Values[r]), model.DefaultRating, 4);
        var counts = new int[train.ItemCount];
        foreach (var r in liked)
        {
            counts[train.Items[r]]++;
        }

        Assert.Equal(counts, model.ItemInteractions);
        Assert.Equal(train.UserCount, model.UserCount);
        Assert.Equal(train.ItemCount, model.ItemCount);
    }

    [Theory]
    [InlineData(nameof(ImplicitTrainingOptions.Factors))]
    [InlineData(nameof(ImplicitTrainingOptions.Epochs))]
    [InlineData(nameof(ImplicitTrainingOptions.Regularization))]
    [InlineData(nameof(ImplicitTrainingOptions.Alpha))]
    [InlineData(nameof(ImplicitTrainingOptions.UnobservedWeight))]
    [InlineData(nameof(ImplicitTrainingOptions.RegularizationExponent))]
    [InlineData(nameof(ImplicitTrainingOptions.RatingThreshold))]
    [InlineData(nameof(ImplicitTrainingOptions.CgSteps))]
    [InlineData(nameof(ImplicitTrainingOptions.Threads))]
    [InlineData(nameof(ImplicitTrainingOptions.InitStd))]
    [InlineData(nameof(ImplicitTrainingOptions.ValidationUsers))]
    public void Invalid_options_are_refused_naming_the_option(string option)
    {
        var bad = option switch
        {
            nameof(ImplicitTrainingOptions.Factors) => Quick with { Factors = 0 },
            nameof(ImplicitTrainingOptions.Epochs) => Quick with { Epochs = 0 },
            nameof(ImplicitTrainingOptions.Regularization) => Quick with { Regularization = 0f },
            nameof(ImplicitTrainingOptions.Alpha) => Quick with { Alpha = -1f },
            nameof(ImplicitTrainingOptions.UnobservedWeight) => Quick with { UnobservedWeight = float.NaN },
            nameof(ImplicitTrainingOptions.RegularizationExponent) => Quick with { RegularizationExponent = 3f },
            nameof(ImplicitTrainingOptions.RatingThreshold) => Quick with { RatingThreshold = float.PositiveInfinity },
            nameof(ImplicitTrainingOptions.CgSteps) => Quick with { CgSteps = 0 },
            nameof(ImplicitTrainingOptions.Threads) => Quick with { Threads = -1 },
            nameof(ImplicitTrainingOptions.InitStd) => Quick with { InitStd = -0.1f },
            _ => Quick with { ValidationUsers = -1 },
        };

        var e = Assert.Throws<ArgumentException>(() => ImplicitTrainer.Train(Small.Value.Train, null, bad));
        Assert.Equal(option, e.ParamName);
        Assert.Contains(option, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_data_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => ImplicitTrainer.Train(Small.Value.Train, null, Quick with { RatingThreshold = 6f }));
        Assert.Contains(nameof(ImplicitTrainingOptions.RatingThreshold), e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ImplicitTrainer.Train(new IndexedRatings([0, 2], [0, 1], [4f, 5f], 2, 2), null, Quick));
        Assert.Throws<ArgumentException>(() => ImplicitTrainer.Train(new IndexedRatings([], [], [], 2, 2), null, Quick));
    }

    [Fact]
    public void Cancellation_stops_training()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new ListProgress([], _ => cancel.Cancel());
        Assert.ThrowsAny<OperationCanceledException>(() => ImplicitTrainer.Train(Small.Value.Train, null, Quick with { Epochs = 50 }, progress, cancel.Token));
        Assert.Single(progress.Reports);
    }

    private static double Square(ReadOnlySpan<float> row)
    {
        double sum = 0;
        foreach (var v in row)
        {
            sum += (double)v * v;
        }

        return sum;
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var f = 0; f < a.Length; f++)
        {
            dot += (double)a[f] * b[f];
            na += (double)a[f] * a[f];
            nb += (double)b[f] * b[f];
        }

        return dot / Math.Sqrt(na * nb);
    }

    private sealed class ListProgress(List<ImplicitEpochReport> reports, Action<ImplicitEpochReport>? then = null) : IProgress<ImplicitEpochReport>
    {
        public List<ImplicitEpochReport> Reports => reports;

        public void Report(ImplicitEpochReport value)
        {
            reports.Add(value);
            then?.Invoke(value);
        }
    }
}
