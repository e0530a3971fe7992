namespace Recommender.Serving.Tests;

/// <summary>Recommend from a history (new and known users) and SimilarItems, through the engine with fake kinds.</summary>
public sealed class HistoryAndSimilarItemsTests : IDisposable
{
    // Items 10, 11 point one way, 12, 13 another, 14, 15 a third; 11 is nearer 10 than 12 is.
    private static readonly float[] Factors = [1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f, -1, 0, -0.9f, -0.1f];

    private readonly FakeKind _folding = new(ServedKind.Implicit, predictsRatings: false, rankingPreference: 1, history: true, itemFactors: Factors);
    private readonly FakeKind _rating = new(ServedKind.Mf, predictsRatings: true, rankingPreference: 0);
    private readonly EngineFixture _fixture;

    public HistoryAndSimilarItemsTests() => _fixture = new EngineFixture([_rating, _folding]);

    public void Dispose() => _fixture.Dispose();

    private RecommendationResult FromHistory(long user, long[] history, float[]? ratings = null, UnknownIdHandling unknown = UnknownIdHandling.Reject,
        ServedKind? kind = null, bool fallback = false) =>
        _fixture.Engine.RecommendAsync(new RecommendationQuery(new ModelSelector(null, 0, kind), [user], 10, false, [], [], fallback)
        {
            HistoryItemIds = history,
            HistoryRatings = ratings ?? [],
            UnknownHistoryIds = unknown,
        }, CancellationToken.None).GetAwaiter().GetResult();

    [Fact]
    public void A_new_user_is_ranked_from_the_history_which_is_left_out_of_the_list()
    {
        var result = FromHistory(999, [13, 10, 13], [5, 3, 4]);
        var user = Assert.Single(result.Users);
        Assert.False(user.PopularityFallback);
        Assert.Equal(ServedKind.Implicit, result.Model.Kind);
        Assert.Equal([15, 14, 12, 11], user.Items.Select(i => i.ItemId));
        var (items, ratings) = _folding.LastHistory!.Value;
        Assert.Equal([0, 3], items);          // dense indices, duplicates merged
        Assert.Equal([3f, 4f], ratings);      // the last rating of a duplicate wins
    }

    [Fact]
    public void A_known_users_training_items_join_the_history()
    {
        var result = FromHistory(100, [13]);
        Assert.Equal([0, 1, 3], _folding.LastHistory!.Value.Items);
        Assert.Equal([15, 14, 12], result.Users[0].Items.Select(i => i.ItemId));
    }

    [Fact]
    public void Unknown_history_ids_are_rejected_or_dropped_by_the_policy()
    {
        var error = Assert.Throws<UnknownIdsException>(() => FromHistory(999, [10, 4242]));
        Assert.Equal("history_item_ids", error.Field);
        Assert.Equal([4242], error.Ids);

        FromHistory(999, [10, 4242], unknown: UnknownIdHandling.Fallback);
        Assert.Equal([0], _folding.LastHistory!.Value.Items);
    }

    [Fact]
    public void A_history_with_no_known_item_is_invalid_unless_the_popularity_fallback_is_allowed()
    {
        var error = Assert.Throws<InvalidRequestException>(() => FromHistory(999, [4242], unknown: UnknownIdHandling.Fallback));
        Assert.Equal("history_item_ids", error.Field);
        Assert.True(FromHistory(999, [4242], unknown: UnknownIdHandling.Fallback, fallback: true).Users[0].PopularityFallback);
    }

    [Fact]
    public void Bad_history_arguments_name_their_field()
    {
        Assert.Equal("history_ratings", Assert.Throws<InvalidRequestException>(() => FromHistory(999, [10, 11], [4])).Field);
        Assert.Equal("history_ratings", Assert.Throws<InvalidRequestException>(() => FromHistory(999, [10], [float.NaN])).Field);
        Assert.Equal("history_item_ids", Assert.Throws<InvalidRequestException>(() => FromHistory(999, [.. Enumerable.Range(0, 10_001).Select(i => 10L)])).Field);
        Assert.Equal("model.kind", Assert.Throws<InvalidRequestException>(() => FromHistory(999, [10], kind: ServedKind.Mf)).Field);
    }

    private SimilarItemsResult Similar(long[] items, int topN = 10, long[]? exclude = null, ServedKind? kind = null) =>
        _fixture.Engine.SimilarItemsAsync(new SimilarItemsQuery(new ModelSelector(null, 0, kind), items, topN, exclude ?? []), CancellationToken.None)
            .GetAwaiter().GetResult();

    [Fact]
    public void Similar_items_are_the_nearest_by_cosine_without_the_item_itself()
    {
        var result = Similar([10, 14], topN: 2);
        Assert.Equal(ServedKind.Implicit, result.Model.Kind);
        Assert.Equal([10, 14], result.Items.Select(i => i.ItemId));
        Assert.Equal([11, 13], result.Items[0].Items.Select(i => i.ItemId));
        Assert.Equal([15, 12], result.Items[1].Items.Select(i => i.ItemId));
        Assert.Equal(0.9f / MathF.Sqrt(0.82f), result.Items[1].Items[0].Score, 4); // cos([-1, 0], [-0.9, -0.1])
        Assert.Equal("Film 11", result.Items[0].Items[0].Title);
    }

    [Fact]
    public void Similar_items_respect_exclusions_top_n_and_name_unknown_ids()
    {
        Assert.Equal([13], Similar([10], topN: 1, exclude: [11]).Items[0].Items.Select(i => i.ItemId));
        Assert.Equal(5, Similar([10], topN: 50).Items[0].Items.Count);
        var error = Assert.Throws<UnknownIdsException>(() => Similar([10, 777]));
        Assert.Equal("item_ids", error.Field);
        Assert.Equal([777], error.Ids);
        Assert.Equal("top_n", Assert.Throws<InvalidRequestException>(() => Similar([10], topN: 0)).Field);
        Assert.Equal("item_ids", Assert.Throws<InvalidRequestException>(() => Similar([])).Field);
        Assert.Equal("model.kind", Assert.Throws<InvalidRequestException>(() => Similar([10], kind: ServedKind.Mf)).Field);
    }

    [Fact]
    public void Similarity_over_the_shared_factors_is_the_cosine_and_a_zero_row_is_similar_to_nothing()
    {
        const int items = 300;
        const int factors = 7;
        var random = new Random(3);
        var rows = Enumerable.Range(0, items * factors).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        Array.Clear(rows, 5 * factors, factors);
        var before = (float[])rows.Clone();
        var similarity = new ItemFactorSimilarity(rows, items, factors);

        var found = new int[items];
        var scores = new float[items];
        var n = similarity.Similar(17, new bool[items], found, scores);

        Assert.Equal(before, rows); // the model's factors are read, never changed
        Assert.Equal(items - 1, n);
        var q = rows.AsSpan(17 * factors, factors);
        for (var r = 0; r < n; r++)
        {
            var other = rows.AsSpan(found[r] * factors, factors);
            var norms = Math.Sqrt(Dot(q, q) * Dot(other, other));
            var cosine = norms == 0 ? 0 : Dot(q, other) / norms;
            Assert.Equal(cosine, scores[r], 1e-5);
            Assert.True(r == 0 || scores[r] <= scores[r - 1]);
        }

        Assert.Equal(0f, scores[Array.IndexOf(found, 5)]);
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }
}
