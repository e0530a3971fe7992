namespace Recommender.Serving.Tests;

/// <summary>The engine's own logic, with fake kinds: masks, seen items, sizes, fallback, clipping, kind choice.</summary>
public sealed class RecommendationEngineTests : IDisposable
{
    private readonly FakeKind _ratings = new(ServedKind.Mf, predictsRatings: true, rankingPreference: 0);
    private readonly FakeKind _ranking = new(ServedKind.Neural, predictsRatings: false, rankingPreference: 1);
    private readonly EngineFixture _fixture;

    public RecommendationEngineTests() => _fixture = new EngineFixture([_ratings, _ranking]);

    public void Dispose() => _fixture.Dispose();

    private static long[] Ids(RecommendationResult result) => [.. result.Users[0].Items.Select(i => i.ItemId)];

    [Fact]
    public void Seen_items_are_left_out_unless_include_seen()
    {
        // Scores rise with the item index, so the unseen items come back highest index first.
        Assert.Equal([15, 14, 13, 12], Ids(_fixture.Recommend(100, 10, ServedKind.Mf)));
        Assert.Equal([15, 14, 13, 12, 11, 10], Ids(_fixture.Recommend(100, 10, ServedKind.Mf, includeSeen: true)));
    }

    [Fact]
    public void Excluded_ids_are_left_out_and_unknown_exclusions_are_ignored()
    {
        Assert.Equal([14, 12], Ids(_fixture.Recommend(100, 10, ServedKind.Mf, exclude: [15, 13, 999])));
    }

    [Fact]
    public void Candidates_restrict_the_list_and_still_drop_seen_and_excluded_items()
    {
        Assert.Equal([13, 12], Ids(_fixture.Recommend(100, 10, ServedKind.Mf, candidates: [10, 12, 13, 15], exclude: [15])));
    }

    [Fact]
    public void Unknown_candidate_ids_are_not_found_naming_the_field()
    {
        var error = Assert.Throws<UnknownIdsException>(() => _fixture.Recommend(100, 10, ServedKind.Mf, candidates: [10, 77]));
        Assert.Equal("candidate_item_ids", error.Field);
        Assert.Equal([77], error.Ids);
    }

    [Fact]
    public void Top_n_beyond_the_catalog_returns_every_allowed_item_once()
    {
        var items = Ids(_fixture.Recommend(102, 50, ServedKind.Mf));
        Assert.Equal([15, 11, 10], items);
    }

    [Fact]
    public void Unknown_user_gets_the_popularity_chart_only_when_allowed()
    {
        var error = Assert.Throws<UnknownIdsException>(() => _fixture.Recommend(555, 3, ServedKind.Mf));
        Assert.Equal("user_ids", error.Field);

        var result = _fixture.Recommend(555, 3, ServedKind.Mf, exclude: [13], fallback: true);
        var user = Assert.Single(result.Users);
        Assert.True(user.PopularityFallback);
        Assert.Equal(12, user.Items[0].ItemId); // rated by two users
        Assert.DoesNotContain(user.Items, i => i.ItemId == 13);
        Assert.Equal(3, user.Items.Count);
        Assert.Equal(0, _ratings.RankCalls);
    }

    [Fact]
    public async Task Rating_scores_are_clipped_to_the_scale_and_ranking_scores_are_not()
    {
        var rated = _fixture.Recommend(101, 2, ServedKind.Mf);
        Assert.Equal([5f, 4.5f], rated.Users[0].Items.Select(i => i.Score)); // raw 5.5 and 4.5

        var ranked = _fixture.Recommend(101, 2, ServedKind.Neural);
        Assert.Equal([FakeKind.ItemScore(5), FakeKind.ItemScore(4)], ranked.Users[0].Items.Select(i => i.Score));

        var predicted = await _fixture.PredictAsync([100, 102], [10, 15], ServedKind.Mf);
        Assert.Equal([1f, 5f], predicted.Ratings); // raw 0 and 25
    }

    [Fact]
    public async Task A_request_without_a_kind_ranks_with_the_preferred_ranker_and_predicts_with_the_default_kind()
    {
        var recommended = _fixture.Recommend(100, 3);
        Assert.Equal(ServedKind.Neural, recommended.Model.Kind);
        Assert.Equal(1, _ranking.RankCalls);
        Assert.Equal(0, _ratings.RankCalls);

        var predicted = await _fixture.PredictAsync([100], [11], kind: null);
        Assert.Equal(ServedKind.Mf, predicted.Model.Kind);
        Assert.Equal(1, _ratings.PairCalls);
    }

    [Fact]
    public async Task Predicting_with_a_kind_that_only_ranks_is_an_invalid_argument_naming_the_kind_field()
    {
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => _fixture.PredictAsync([100], [11], ServedKind.Neural));
        Assert.Equal("model.kind", error.Field);
    }

    [Fact]
    public async Task Unknown_pairs_get_the_training_mean_under_the_fallback_policy()
    {
        var result = await _fixture.PredictAsync([100, 999], [10, 10], ServedKind.Mf, UnknownIdHandling.Fallback);
        Assert.Equal([1], result.FallbackIndices);
        Assert.Equal(3.5f, result.Ratings[1]);
    }
}

/// <summary>Without a kind that prefers ranking, Recommend falls back to the configured default kind.</summary>
public sealed class DefaultKindTests
{
    [Fact]
    public void Recommend_without_a_kind_uses_the_configured_default_when_no_kind_prefers_ranking()
    {
        var mf = new FakeKind(ServedKind.Mf, predictsRatings: true, rankingPreference: 0);
        var neural = new FakeKind(ServedKind.Neural, predictsRatings: true, rankingPreference: 0);
        using var fixture = new EngineFixture([mf, neural], defaultKind: ServedKind.Neural);
        Assert.Equal(ServedKind.Neural, fixture.Recommend(100, 3).Model.Kind);
        Assert.Equal(0, mf.RankCalls);
    }
}
