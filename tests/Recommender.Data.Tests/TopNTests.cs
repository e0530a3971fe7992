namespace Recommender.Data.Tests;

public sealed class TopNTests
{
    [Fact]
    public void Selects_best_first_and_skips_excluded()
    {
        float[] scores = [0.5f, 4.0f, 2.0f, 4.5f, 3.0f, 1.0f];
        var best = new int[3];

        var n = TopN.Select(scores, 3, best, i => i == 3);

        Assert.Equal(3, n);
        Assert.Equal([1, 4, 2], best);
    }

    [Fact]
    public void Returns_fewer_when_candidates_run_out_and_breaks_ties_by_lower_index()
    {
        float[] scores = [2f, 3f, 3f, float.NaN];
        var best = new int[5];

        var n = TopN.Select(scores, 5, best);

        Assert.Equal(3, n);
        Assert.Equal([1, 2, 0], best[..n]);
    }

    [Fact]
    public void Agrees_with_a_full_sort_on_random_scores()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 50; trial++)
        {
            var scores = new float[random.Next(1, 500)];
            for (var i = 0; i < scores.Length; i++)
            {
                scores[i] = random.Next(0, 40) / 4f; // many ties
            }

            var k = random.Next(0, 20);
            var best = new int[k];
            var n = TopN.Select(scores, k, best);

            var expected = Enumerable.Range(0, scores.Length)
                .OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k).ToArray();
            Assert.Equal(expected, best[..n]);
        }
    }
}
