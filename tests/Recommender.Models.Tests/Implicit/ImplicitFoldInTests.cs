using Recommender.Models.Implicit;

namespace Recommender.Models.Tests.Implicit;

public sealed class ImplicitFoldInTests
{
    [Fact]
    public void Fold_in_is_the_dense_weighted_least_squares_solve_with_the_models_parameters()
    {
        var model = ImplicitSamples.Model(3, 50, 6);
        var foldIn = new ImplicitFoldIn(model);
        int[] items = [4, 9, 33, 41];
        float[] ratings = [5f, 3f, 4f, 1f];
        var user = new float[6];

        Assert.Equal(4, foldIn.FoldIn(items, ratings, user));

        var p = model.Parameters;
        var expected = DenseLeastSquares.Solve(model.ItemFactors, model.ItemCount, model.Factors, items,
            [.. ratings.Select(p.ConfidenceOf)], p.UnobservedWeight, p.RowRegularization(items.Length, model.ItemCount));
        for (var f = 0; f < 6; f++)
        {
            Assert.Equal(expected[f], user[f], 4);
        }
    }

    [Fact]
    public void Ratings_below_the_threshold_are_not_interactions_and_missing_ratings_take_the_default()
    {
        var model = ImplicitSamples.Model(3, 50, 6, threshold: 3.5f);
        var foldIn = new ImplicitFoldIn(model);
        var withLow = new float[6];
        var withoutLow = new float[6];
        Assert.Equal(2, foldIn.FoldIn([4, 9, 33], [5f, 2f, 4f], withLow));
        Assert.Equal(2, foldIn.FoldIn([4, 33], [5f, 4f], withoutLow));
        Assert.Equal(withoutLow, withLow);

        var unrated = new float[6];
        var atDefault = new float[6];
        Assert.Equal(2, foldIn.FoldIn([4, 33], [], unrated));
        foldIn.FoldIn([4, 33], [model.DefaultRating, model.DefaultRating], atDefault);
        Assert.Equal(atDefault, unrated);
    }

    [Fact]
    public void No_interaction_gives_a_zero_vector_and_says_so()
    {
        var foldIn = new ImplicitFoldIn(ImplicitSamples.Model(3, 50, 6, threshold: 4f));
        var user = new float[] { 1, 1, 1, 1, 1, 1 };
        Assert.Equal(0, foldIn.FoldIn([], [], user));
        Assert.All(user, v => Assert.Equal(0f, v));
        user.AsSpan().Fill(1);
        Assert.Equal(0, foldIn.FoldIn([1, 2], [3f, 2f], user));
        Assert.All(user, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var foldIn = new ImplicitFoldIn(ImplicitSamples.Model(3, 50, 6));
        var user = new float[6];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => foldIn.FoldIn([1, 50], [], user));
        Assert.Contains("50", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => foldIn.FoldIn([-1], [], user));
        Assert.Throws<ArgumentException>(() => foldIn.FoldIn([1, 2], [4f], user));
        Assert.Throws<ArgumentException>(() => foldIn.FoldIn([1], [float.NaN], user));
        Assert.Throws<ArgumentException>(() => foldIn.FoldIn([1], [], new float[5]));
    }

    [Fact]
    public void Long_histories_and_large_factor_counts_take_the_pooled_path_with_the_same_result()
    {
        // k = 150 needs more scratch than the stack path allows; 300 items exceed the stack history.
        var model = ImplicitSamples.Model(2, 400, 150);
        var foldIn = new ImplicitFoldIn(model);
        var items = Enumerable.Range(0, 300).ToArray();
        var user = new float[150];
        Assert.Equal(300, foldIn.FoldIn(items, [], user));

        var p = model.Parameters;
        var expected = DenseLeastSquares.Solve(model.ItemFactors, model.ItemCount, model.Factors, items,
            [.. items.Select(_ => p.ConfidenceOf(model.DefaultRating))], p.UnobservedWeight, p.RowRegularization(items.Length, model.ItemCount));
        var scale = expected.Max(Math.Abs);
        for (var f = 0; f < 150; f++)
        {
            Assert.True(Math.Abs(expected[f] - user[f]) < 1e-3 * scale, $"component {f}: {expected[f]} vs {user[f]}");
        }
    }

    [Fact]
    public void Concurrent_fold_ins_give_the_same_vectors_as_sequential_ones()
    {
        var model = ImplicitSamples.Model(3, 200, 16);
        var foldIn = new ImplicitFoldIn(model);
        var histories = Enumerable.Range(0, 64).Select(h => Enumerable.Range(0, 5 + (h % 20)).Select(n => ((n * 37) + (h * 11)) % 200).Distinct().ToArray()).ToArray();
        var sequential = histories.Select(h =>
        {
            var v = new float[16];
            foldIn.FoldIn(h, [], v);
            return v;
        }).ToArray();

        var parallel = new float[histories.Length][];
        Parallel.For(0, histories.Length * 8, n =>
        {
            var h = n % histories.Length;
            var v = new float[16];
            foldIn.FoldIn(histories[h], [], v);
            parallel[h] = v;
        });

        for (var h = 0; h < histories.Length; h++)
        {
            Assert.Equal(sequential[h], parallel[h]);
        }
    }

    [Fact]
    public void Catalog_scores_are_the_dot_products()
    {
        var model = ImplicitSamples.Model(3, 37, 13);
        var user = DenseLeastSquares.RandomMatrix(1, 13, seed: 77);
        var scores = new float[37];
        ImplicitScoring.ScoreCatalog(model, user, scores);
        var some = new float[3];
        ImplicitScoring.ScoreItems(model, user, [36, 0, 5], some);
        for (var i = 0; i < 37; i++)
        {
            double dot = 0;
            for (var f = 0; f < 13; f++)
            {
                dot += (double)user[f] * model.ItemFactors[(i * 13) + f];
            }

            Assert.Equal(dot, scores[i], 5);
        }

        Assert.Equal([scores[36], scores[0], scores[5]], some);
        Assert.Equal(model.Score(1, 4), System.Numerics.Tensors.TensorPrimitives.Dot(model.UserRow(1), model.ItemRow(4)), 5);
        Assert.Throws<ArgumentException>(() => ImplicitScoring.ScoreCatalog(model, user, new float[36]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImplicitScoring.ScoreItems(model, user, [37], some));
    }
}
