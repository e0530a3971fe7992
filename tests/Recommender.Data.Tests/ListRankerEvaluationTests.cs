namespace Recommender.Data.Tests;

/// <summary>Ranking metrics from a ranker's lists use the same users, seen items and relevance as the pair-scoring evaluation.</summary>
public sealed class ListRankerEvaluationTests
{
    // As in PopularityBaselineTests: users 1..5, items 10..50; held out: user 1 liked 30, disliked 40;
    // user 2 rated 50 with 3; user 3 liked 40.
    private static TrainingSet Set() => TrainingSet.Build(new DataSplit(
        new RatingTable(
            [1, 1, 2, 2, 3, 3, 4, 5],
            [10, 20, 10, 20, 20, 30, 40, 50],
            [2, 5, 5, 4, 1, 4, 5, 5],
            new long[8]),
        new RatingTable([1, 1, 2, 3], [30, 40, 50, 40], [5, 2, 3, 4], new long[4])));

    [Fact]
    public void A_ranker_writing_the_pair_scorers_lists_gets_the_same_report()
    {
        var set = Set();
        var popularity = PopularityBaseline.Fit(set.Train);
        var expected = HeldOutEvaluator.EvaluateRanking(set, popularity.Scorer, k: 2);
        var seenByUser = new Dictionary<int, int[]>();

        var report = HeldOutEvaluator.EvaluateRanking(set, (user, seen, best) =>
        {
            seenByUser[user] = [.. seen];
            var items = Enumerable.Range(0, set.ItemMap.Count).ToArray();
            var users = new int[items.Length];
            Array.Fill(users, user);
            var scores = new float[items.Length];
            popularity.Scorer(users, items, scores);
            return TopN.Select(scores, best.Length, best, seen.Contains);
        }, k: 2);

        Assert.Equal(expected, report);
        // Only users with a relevant held-out item are ranked (1 and 3), each with its own training items.
        set.UserMap.TryGetIndex(1, out var user1);
        set.ItemMap.TryGetIndex(10, out var item10);
        set.ItemMap.TryGetIndex(20, out var item20);
        Assert.Equal(2, seenByUser.Count);
        Assert.Equal([item10, item20], seenByUser[user1].Order());
    }

    [Fact]
    public void A_worse_list_scores_lower()
    {
        var set = Set();
        var good = HeldOutEvaluator.EvaluateRanking(set, (user, seen, best) =>
        {
            set.ItemMap.TryGetIndex(30, out var item30);
            set.ItemMap.TryGetIndex(40, out var item40);
            best[0] = seen.Contains(item30) ? item40 : item30;
            best[1] = seen.Contains(item30) ? item30 : item40;
            return 2;
        }, k: 2);
        var empty = HeldOutEvaluator.EvaluateRanking(set, (_, _, _) => 0, k: 2);
        Assert.True(good.PrecisionAtK > 0);
        Assert.Equal(0, empty.PrecisionAtK);
    }
}
