using Recommender.Models.Mf;

namespace Recommender.Serving.Tests;

/// <summary>The fp16 ranker returns the float ranker's top-N, with exact float scores.</summary>
public sealed class HalfFactorRankerTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Top_n_equals_the_float_rankers_on_a_random_model(bool biases)
    {
        var scorer = new MfSimdScorer(RandomModel(users: 50, items: 3000, factors: 32, biases, seed: 5));
        var exact = new WholeCatalogRanker("simd", 3000, scorer.ScoreAllItems);
        var compact = new HalfFactorRanker(scorer);
        var excluded = new bool[3000];
        for (var i = 0; i < excluded.Length; i += 7)
        {
            excluded[i] = true;
        }

        var excludedCount = excluded.Count(e => e);
        for (var user = 0; user < 50; user++)
        {
            var (expectedItems, expectedScores) = Rank(exact, user, excluded, excludedCount, 10);
            var (items, scores) = Rank(compact, user, excluded, excludedCount, 10);
            Assert.Equal(expectedItems, items);
            // Exact float scores (summed in another order than the catalog pass: equal to rounding).
            Assert.All(expectedScores.Zip(scores), p => Assert.Equal(p.First, p.Second, 1e-4f));
            Assert.DoesNotContain(items, i => excluded[i]);
        }
    }

    [Fact]
    public void Asking_for_more_than_the_catalog_returns_every_allowed_item_in_order()
    {
        var scorer = new MfSimdScorer(RandomModel(users: 3, items: 20, factors: 8, biases: true, seed: 9));
        var excluded = new bool[20];
        excluded[3] = true;
        var (items, scores) = Rank(new HalfFactorRanker(scorer), 1, excluded, 1, 25);
        Assert.Equal(19, items.Length);
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.DoesNotContain(3, items);
    }

    private static (int[] Items, float[] Scores) Rank(IRanker ranker, int user, bool[] excluded, int excludedCount, int n)
    {
        var items = new int[n];
        var scores = new float[n];
        var written = ranker.Rank(user, excluded, excludedCount, items, scores);
        return (items[..written], scores[..written]);
    }

    private static MfModel RandomModel(int users, int items, int factors, bool biases, int seed)
    {
        var random = new Random(seed);
        float[] Normal(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        return new MfModel(users, items, factors, Normal(users * factors), Normal(items * factors),
            biases ? new MfBiases(3.5f, Normal(users), Normal(items)) : null);
    }
}
