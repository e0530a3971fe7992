using Recommender.Training.Mf.Bayesian;
using TorchSharp;

namespace Recommender.Training.Tests.Mf;

/// <summary>The reduction is the truncated SVD of P Qᵀ: checked against the product formed in full and torch's own SVD of it.</summary>
public sealed class ScoreMatrixRankReductionTests
{
    [Fact]
    public void A_wide_factorization_of_low_rank_is_rebuilt_exactly_at_that_rank()
    {
        // 12 columns that are mixtures of 3: the score matrix has rank 3.
        var random = new Random(1);
        var (users, items) = (Mixed(Normal(random, 40 * 3), 40, 3, 12, random), Mixed(Normal(random, 30 * 3), 30, 3, 12, random));
        using var reduction = ScoreMatrixRankReduction.Of(users, 40, items, 30, 12);

        Assert.Equal(3, reduction.MaxRank);
        var (u, v) = reduction.Reduce(3);
        var exact = Product(users, items, 40, 30, 12);
        var rebuilt = Product(u, v, 40, 30, 3);
        for (var n = 0; n < exact.Length; n++)
        {
            Assert.Equal(exact[n], rebuilt[n], 3);
        }
    }

    [Fact]
    public void Each_rank_is_the_truncated_svd_of_the_score_matrix()
    {
        var random = new Random(2);
        const int Users = 50, Items = 35, Width = 8;
        var users = Normal(random, Users * Width);
        var items = Normal(random, Items * Width);
        using var reduction = ScoreMatrixRankReduction.Of(users, Users, items, Items, Width);
        var exact = Product(users, items, Users, Items, Width);
        using var matrix = torch.tensor(exact, [Users, Items]);
        var singular = torch.linalg.svdvals(matrix).data<double>().ToArray();

        Assert.Equal(Width, reduction.MaxRank);
        for (var r = 0; r < Width; r++)
        {
            Assert.Equal(singular[r], reduction.SingularValues[r], 6);
        }

        for (var rank = 1; rank <= Width; rank++)
        {
            var (u, v) = reduction.Reduce(rank);
            var error = Math.Sqrt(exact.Zip(Product(u, v, Users, Items, rank)).Sum(p => (p.First - p.Second) * (p.First - p.Second)));
            // Eckart–Young: the best rank-r error is the norm of the singular values left out.
            var best = Math.Sqrt(singular.Skip(rank).Sum(s => s * s));
            Assert.Equal(best, error, 3);
        }
    }

    private static float[] Normal(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))];

    private static float[] Mixed(float[] rows, int count, int rank, int width, Random random)
    {
        var mixing = Normal(random, rank * width);
        var result = new float[count * width];
        for (var r = 0; r < count; r++)
        {
            for (var c = 0; c < width; c++)
            {
                for (var f = 0; f < rank; f++)
                {
                    result[(r * width) + c] += rows[(r * rank) + f] * mixing[(f * width) + c];
                }
            }
        }

        return result;
    }

    private static double[] Product(float[] users, float[] items, int userCount, int itemCount, int width)
    {
        var scores = new double[userCount * itemCount];
        for (var u = 0; u < userCount; u++)
        {
            for (var i = 0; i < itemCount; i++)
            {
                for (var f = 0; f < width; f++)
                {
                    scores[(u * itemCount) + i] += (double)users[(u * width) + f] * items[(i * width) + f];
                }
            }
        }

        return scores;
    }
}
