namespace Recommender.Data.Tests;

public sealed class PopularityBaselineTests
{
    // Users 1..3 rate items 10, 20, 30 in training: item 20 has three ratings, 10 two, 30 one;
    // items 40 and 50 have one each. Held out: user 1 liked 30 (5) and disliked 40 (2);
    // user 2 rated 50 with 3; user 3 liked 40 (4).
    private static TrainingSet Set() => TrainingSet.Build(new DataSplit(
        new RatingTable(
            [1, 1, 2, 2, 3, 3, 4, 5],
            [10, 20, 10, 20, 20, 30, 40, 50],
            [2, 5, 5, 4, 1, 4, 5, 5],
            new long[8]),
        new RatingTable([1, 1, 2, 3], [30, 40, 50, 40], [5, 2, 3, 4], new long[4])));

    [Fact]
    public void Scores_every_pair_by_its_items_training_count()
    {
        var set = Set();
        var popularity = PopularityBaseline.Fit(set.Train);
        set.ItemMap.TryGetIndex(10, out var item10);
        set.ItemMap.TryGetIndex(20, out var item20);
        set.ItemMap.TryGetIndex(30, out var item30);

        var scores = new float[3];
        popularity.Scorer([0, 1, 2], [item10, item20, item30], scores);
        Assert.Equal([2f, 3f, 1f], scores);
        Assert.Equal(5, popularity.ItemCount);

        // Only ratings >= 4 count: item 20 keeps two (5, 4), item 10 one (5).
        var liked = PopularityBaseline.Fit(set.Train, minRating: 4f);
        liked.Scorer([0, 0], [item10, item20], scores.AsSpan(0, 2));
        Assert.Equal([1f, 2f], scores[..2]);

        Assert.Throws<ArgumentOutOfRangeException>(() => popularity.Scorer([0], [5], scores.AsSpan(0, 1)));
    }

    [Fact]
    public void Ranks_through_the_evaluator_with_either_relevance_protocol()
    {
        var set = Set();
        var scorer = PopularityBaseline.Fit(set.Train).Scorer;

        // Relevance >= 4: users 1 (item 30) and 3 (item 40). User 1 has seen 10 and 20, so its top
        // 2 is [30 (1), 40 (1)]: a hit at rank 1. User 3 has seen 20 and 30: [10 (2), 40 (1)]: a hit at 2.
        var liked = HeldOutEvaluator.EvaluateRanking(set, scorer, k: 2);
        Assert.Equal(2, liked.UsersEvaluated);
        Assert.Equal(0.5, liked.PrecisionAtK, 12);

        // Every held-out item relevant: user 1 now has {30, 40}: two hits; user 2 (seen 10, 20)
        // has {50}: top 2 is [30, 40], a miss. Precision (1 + 0 + 0.5) / 3.
        var all = HeldOutEvaluator.EvaluateRanking(set, scorer, k: 2, relevanceThreshold: null);
        Assert.Equal(3, all.UsersEvaluated);
        Assert.Equal(1.5 / 3, all.PrecisionAtK, 12);
        Assert.Equal(all, HeldOutEvaluator.EvaluateRanking(set, scorer, k: 2, relevanceThreshold: 0f));

        // The full evaluation's default protocol is unchanged, and the explicit threshold matches it.
        var full = HeldOutEvaluator.Evaluate(set, scorer, 1, 5, 3, k: 2);
        Assert.Equal(liked, full.Ranking);
        Assert.Equal(full, HeldOutEvaluator.Evaluate(set, scorer, 1, 5, 3, 2, 1000, 0, RankingMetrics.DefaultRelevanceThreshold));
        Assert.Equal(all, HeldOutEvaluator.Evaluate(set, scorer, 1, 5, 3, 2, 1000, 0, null).Ranking);
    }
}
