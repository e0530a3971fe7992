namespace Recommender.Serving.Tests;

/// <summary>Which kind answers PredictRatings when the request names none: the kind that prefers rating (a blend), else the configured default.</summary>
public sealed class RatingPreferenceTests
{
    [Fact]
    public async Task A_request_without_a_kind_is_predicted_by_the_kind_with_a_rating_preference()
    {
        var mf = new FakeKind(ServedKind.Mf, predictsRatings: true, rankingPreference: 0);
        var blend = new FakeKind(ServedKind.Blend, predictsRatings: true, rankingPreference: 0, ratingPreference: 1);
        using var fixture = new EngineFixture([mf, blend], defaultKind: ServedKind.Mf);

        var unnamed = await fixture.PredictAsync([100], [10], kind: null);
        var named = await fixture.PredictAsync([100], [10], kind: ServedKind.Mf);

        Assert.Equal(ServedKind.Blend, unnamed.Model.Kind);
        Assert.Equal(1, blend.PairCalls);
        Assert.Equal(ServedKind.Mf, named.Model.Kind);
        Assert.Equal(1, mf.PairCalls);
        // Rating preference does not touch Recommend: it keeps the configured default.
        Assert.Equal(ServedKind.Mf, fixture.Recommend(100, 3).Model.Kind);
    }

    [Fact]
    public async Task Without_a_rating_preference_the_configured_default_predicts()
    {
        var mf = new FakeKind(ServedKind.Mf, predictsRatings: true, rankingPreference: 0);
        var neural = new FakeKind(ServedKind.Neural, predictsRatings: true, rankingPreference: 0);
        using var fixture = new EngineFixture([mf, neural], defaultKind: ServedKind.Neural);

        var result = await fixture.PredictAsync([100], [10], kind: null);

        Assert.Equal(ServedKind.Neural, result.Model.Kind);
        Assert.Equal(0, mf.PairCalls);
    }
}
