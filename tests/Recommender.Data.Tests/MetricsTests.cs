namespace Recommender.Data.Tests;

public sealed class MetricsTests
{
    [Fact]
    public void Rmse_and_mae_match_hand_computed_values()
    {
        float[] actual = [4, 3, 5, 1];
        float[] predicted = [3.5f, 3, 4, 3];

        // Errors 0.5, 0, 1, -2: squared 0.25 + 0 + 1 + 4 = 5.25.
        Assert.Equal(Math.Sqrt(5.25 / 4), RatingMetrics.Rmse(actual, predicted), 12);
        Assert.Equal(3.5 / 4, RatingMetrics.Mae(actual, predicted), 12);
        Assert.True(double.IsNaN(RatingMetrics.Rmse([], [])));
        Assert.Throws<ArgumentException>(() => RatingMetrics.Rmse(actual, predicted.AsSpan(1)));
    }

    [Fact]
    public void Per_user_ranking_metrics_match_hand_computed_values()
    {
        int[] ranked = [10, 20, 30, 40, 50];
        var relevant = new HashSet<int> { 20, 40, 99 };

        // Hits at ranks 2 and 4 within k = 5.
        Assert.Equal(2.0 / 5, RankingMetrics.PrecisionAtK(ranked, relevant, 5), 12);
        Assert.Equal(2.0 / 3, RankingMetrics.RecallAtK(ranked, relevant, 5), 12);
        var dcg = 1 / Math.Log2(3) + 1 / Math.Log2(5);
        var idcg = 1 + 1 / Math.Log2(3) + 1 / Math.Log2(4);
        Assert.Equal(dcg / idcg, RankingMetrics.NdcgAtK(ranked, relevant, 5), 12);
        Assert.Equal(((1.0 / 2) + (2.0 / 4)) / 3, RankingMetrics.AveragePrecisionAtK(ranked, relevant, 5), 12);

        // k = 2: one hit at rank 2; ideal has two relevant in two slots.
        Assert.Equal(0.5, RankingMetrics.PrecisionAtK(ranked, relevant, 2), 12);
        Assert.Equal(1.0 / 3, RankingMetrics.RecallAtK(ranked, relevant, 2), 12);
        Assert.Equal((1 / Math.Log2(3)) / (1 + 1 / Math.Log2(3)), RankingMetrics.NdcgAtK(ranked, relevant, 2), 12);
        Assert.Equal(0.5 / 2, RankingMetrics.AveragePrecisionAtK(ranked, relevant, 2), 12);

        // Short lists count missing slots as misses for precision.
        Assert.Equal(1.0 / 10, RankingMetrics.PrecisionAtK([20], relevant, 10), 12);
        Assert.Equal(1.0, RankingMetrics.NdcgAtK([20, 40, 99], relevant, 3), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => RankingMetrics.PrecisionAtK(ranked, relevant, 0));
    }

    [Fact]
    public void Evaluate_averages_over_users_with_relevant_items_and_reports_coverage()
    {
        var heldOut = new RatingTable(
            [1, 1, 1, 2, 2, 3],
            [10, 11, 12, 20, 21, 30],
            [5, 4, 3, 4.5f, 2, 1],
            [0, 0, 0, 0, 0, 0]);
        var relevant = RankingMetrics.RelevantSets(heldOut);

        // User 3 has nothing rated >= 4, so is not evaluated; user 2's one relevant item is 20.
        Assert.Equal([1, 2], relevant.Keys.Order());
        Assert.Equal([10, 11], relevant[1].Order());

        var recs = new Dictionary<int, IReadOnlyList<int>>
        {
            [1] = [10, 99],   // precision 1/2, recall 1/2, ndcg 1/(1 + 1/log2 3), AP 1/2
            [2] = [98, 20],   // precision 1/2, recall 1, ndcg (1/log2 3)/1, AP (1/2)/1
            [3] = [97, 96],
        };

        var report = RankingMetrics.Evaluate(recs, relevant, k: 2, catalogSize: 10);

        Assert.Equal(2, report.UsersEvaluated);
        Assert.Equal(0.5, report.PrecisionAtK, 12);
        Assert.Equal(0.75, report.RecallAtK, 12);
        Assert.Equal(((1 / (1 + 1 / Math.Log2(3))) + (1 / Math.Log2(3))) / 2, report.NdcgAtK, 12);
        Assert.Equal(0.5, report.MapAtK, 12);
        Assert.Equal(6.0 / 10, report.CatalogCoverage, 12);
    }

    [Fact]
    public void A_user_without_recommendations_scores_zero()
    {
        var relevant = new Dictionary<int, HashSet<int>> { [1] = [5], [2] = [6] };
        var recs = new Dictionary<int, IReadOnlyList<int>> { [1] = [5] };

        var report = RankingMetrics.Evaluate(recs, relevant, k: 1, catalogSize: 4);

        Assert.Equal(0.5, report.PrecisionAtK, 12);
        Assert.Equal(0.25, report.CatalogCoverage, 12);
    }
}
