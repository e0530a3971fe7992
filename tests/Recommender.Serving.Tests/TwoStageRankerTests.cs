using Recommender.Models.Mf;

namespace Recommender.Serving.Tests;

/// <summary>
/// Two stages rank the retrieval model's top C by the second model: compared with brute force over
/// two independent random models, with exclusions; with C at least the catalog it is the second
/// model's whole-catalog ranking.
/// </summary>
public sealed class TwoStageRankerTests
{
    private const int Items = 4000;

    [Theory]
    [InlineData(50, 10)]
    [InlineData(500, 10)]
    [InlineData(Items, 25)]
    public void Ranks_the_retrieved_candidates_by_the_second_model(int candidates, int n)
    {
        var first = BatchedTopNRankerTests.RandomModel(users: 20, Items, factors: 16, biases: false, seed: 1);
        var second = BatchedTopNRankerTests.RandomModel(users: 20, Items, factors: 16, biases: true, seed: 2);
        var retrieval = new WholeCatalogRanker("simd", Items, new MfSimdScorer(first).ScoreAllItems);
        var ranker = new TwoStageRanker(retrieval, (user, items, scores) => Score(second, user, items, scores), candidates, "pairs", "implicit");
        var random = new Random(3);
        for (var user = 0; user < 20; user++)
        {
            var excluded = BatchedTopNRankerTests.RandomMask(Items, random);
            var items = new int[n];
            var scores = new float[n];
            var written = ranker.Rank(user, excluded, excluded.Count(e => e), items, scores);

            var retrieved = Enumerable.Range(0, Items).Where(i => !excluded[i])
                .OrderByDescending(i => BatchedTopNRankerTests.Exact(first, user, i)).ThenBy(i => i).Take(candidates);
            var expected = retrieved.Select(i => BatchedTopNRankerTests.Exact(second, user, i))
                .OrderByDescending(s => s).Take(n).ToArray();
            Assert.Equal(expected.Length, written);
            for (var i = 0; i < written; i++)
            {
                Assert.False(excluded[items[i]]);
                Assert.Equal(expected[i], scores[i], 1e-3);
                Assert.Equal(BatchedTopNRankerTests.Exact(second, user, items[i]), scores[i], 1e-3);
            }
        }
    }

    [Fact]
    public void Compose_puts_the_implicit_kind_in_front_of_a_kind_that_scores_candidates_on_a_large_catalog_only()
    {
        var model = BatchedTopNRankerTests.RandomModel(users: 2, Items, factors: 4, biases: false, seed: 4);
        var whole = new WholeCatalogRanker("graph", Items, new MfSimdScorer(model).ScoreAllItems);
        var neural = new ServedKindModel(ServedKind.Neural, null, whole, true, null, [])
        {
            CandidateScorer = (user, items, scores) => Score(model, user, items, scores),
        };
        var mf = new ServedKindModel(ServedKind.Mf, null, whole, true, null, []);
        var implicitKind = new ServedKindModel(ServedKind.Implicit, null, new WholeCatalogRanker("simd-batched", Items, new MfSimdScorer(model).ScoreAllItems), false, null, []);

        var composed = TwoStageRanker.Compose([mf, neural, implicitKind], Items, new TwoStageOptions { FromItems = Items, Candidates = 300 });
        Assert.Equal("two-stage(implicit simd-batched top 300, graph)", composed[1].Ranker!.Method);
        Assert.Same(mf, composed[0]);
        Assert.NotNull(composed[1].CandidateScorer);

        var withoutImplicit = TwoStageRanker.Compose([mf, neural], Items, new TwoStageOptions { FromItems = Items });
        Assert.StartsWith("two-stage(mf ", withoutImplicit[1].Ranker!.Method, StringComparison.Ordinal);

        Assert.Same(neural, TwoStageRanker.Compose([mf, neural], Items, new TwoStageOptions { FromItems = Items + 1 })[1]);
        Assert.Same(neural, TwoStageRanker.Compose([mf, neural], Items, new TwoStageOptions { Enabled = false, FromItems = 1 })[1]);
        Assert.Same(neural, TwoStageRanker.Compose([neural], Items, new TwoStageOptions { FromItems = 1 })[0]);
    }

    private static void Score(MfModel model, int user, ReadOnlySpan<long> items, Span<float> scores)
    {
        for (var i = 0; i < items.Length; i++)
        {
            scores[i] = model.RawScore(user, (int)items[i]);
        }
    }
}
