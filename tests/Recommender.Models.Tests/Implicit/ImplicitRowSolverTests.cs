using Recommender.Models.Implicit;

namespace Recommender.Models.Tests.Implicit;

public sealed class ImplicitRowSolverTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(13)]
    [InlineData(24)]
    public void Cholesky_matches_the_dense_weighted_least_squares_over_every_item(int k)
    {
        const int items = 40;
        var factors = DenseLeastSquares.RandomMatrix(items, k, seed: k);
        int[] observed = [3, 17, 4, 30, 22, 9];
        float[] confidence = [1.5f, 4f, 2f, 6f, 1f, 3f];
        const float unobserved = 0.4f;
        const float regularization = 0.3f;

        var expected = DenseLeastSquares.Solve(factors, items, k, observed, confidence, unobserved, regularization);
        var x = new float[k];
        ImplicitRowSolver.SolveCholesky(ImplicitGramian.Compute(factors, items, k), factors, observed, confidence,
            unobserved, regularization, new float[ImplicitRowSolver.ScratchLength(k)], x);

        AssertClose(expected, x, 1e-4);
    }

    [Theory]
    [InlineData(8, 6)]
    [InlineData(40, 45)]
    [InlineData(64, 70)]
    public void Conjugate_gradient_agrees_with_cholesky_and_improves_with_steps(int k, int observedCount)
    {
        // k = 40 and 64 take the register-blocked products (blocks of 32 plus a tail); more than
        // 32 observed rows take more than one batch.
        const int items = 120;
        var factors = DenseLeastSquares.RandomMatrix(items, k, seed: 5);
        int[] observed = [.. Enumerable.Range(0, observedCount).Select(n => (n * 53) % items)];
        float[] confidence = [.. observed.Select(i => 1f + (i % 5))];
        var gramian = ImplicitGramian.Compute(factors, items, k);
        var scratch = new float[ImplicitRowSolver.ScratchLength(k)];
        var exact = new float[k];
        ImplicitRowSolver.SolveCholesky(gramian, factors, observed, confidence, 0.5f, 0.2f, scratch, exact);
        AssertClose(DenseLeastSquares.Solve(factors, items, k, observed, confidence, 0.5f, 0.2f), exact, 1e-4);

        // In exact arithmetic k steps of CG solve a k×k system; from zero, 3k steps leave float noise only.
        var converged = new float[k];
        ImplicitRowSolver.SolveConjugateGradient(gramian, factors, observed, confidence, 0.5f, 0.2f, 3 * k, scratch, converged);
        AssertClose([.. exact.Select(v => (double)v)], converged, 1e-3);

        // Fewer steps: an approximation that gets closer with every step, and a warm start from
        // the answer stays there.
        var errors = new List<double>();
        foreach (var steps in new[] { 1, 2, 4 })
        {
            var x = new float[k];
            ImplicitRowSolver.SolveConjugateGradient(gramian, factors, observed, confidence, 0.5f, 0.2f, steps, scratch, x);
            errors.Add(Distance(exact, x));
        }

        Assert.True(errors[0] > errors[1] && errors[1] > errors[2], string.Join(", ", errors));
        var warm = (float[])exact.Clone();
        ImplicitRowSolver.SolveConjugateGradient(gramian, factors, observed, confidence, 0.5f, 0.2f, 3, scratch, warm);
        Assert.True(Distance(exact, warm) < 1e-4, $"warm start moved by {Distance(exact, warm)}");
    }

    [Fact]
    public void A_row_without_interactions_solves_to_zero()
    {
        const int k = 4;
        var factors = DenseLeastSquares.RandomMatrix(10, k, seed: 2);
        var x = new float[] { 1, 2, 3, 4 };
        ImplicitRowSolver.SolveCholesky(ImplicitGramian.Compute(factors, 10, k), factors, [], [], 1f, 0.1f,
            new float[ImplicitRowSolver.ScratchLength(k)], x);
        Assert.All(x, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Gramian_is_the_sum_of_outer_products_on_any_thread_count()
    {
        const int k = 5;
        const int rows = 1500; // several chunks
        var factors = DenseLeastSquares.RandomMatrix(rows, k, seed: 9);
        var one = ImplicitGramian.Compute(factors, rows, k, degreeOfParallelism: 1);
        var four = ImplicitGramian.Compute(factors, rows, k, degreeOfParallelism: 4);
        Assert.Equal(one, four);
        for (var f = 0; f < k; f++)
        {
            for (var g = 0; g < k; g++)
            {
                double sum = 0;
                for (var r = 0; r < rows; r++)
                {
                    sum += (double)factors[(r * k) + f] * factors[(r * k) + g];
                }

                Assert.Equal(sum, one[(f * k) + g], 3);
            }
        }
    }

    [Fact]
    public void Mismatched_arguments_are_refused()
    {
        const int k = 4;
        var factors = DenseLeastSquares.RandomMatrix(10, k, seed: 2);
        var gramian = ImplicitGramian.Compute(factors, 10, k);
        var x = new float[k];
        Assert.Throws<ArgumentException>(() => ImplicitRowSolver.SolveCholesky(gramian, factors, [1, 2], [1f], 1f, 0.1f, new float[ImplicitRowSolver.ScratchLength(k)], x));
        Assert.Throws<ArgumentException>(() => ImplicitRowSolver.SolveCholesky(gramian, factors, [1], [1f], 1f, 0.1f, new float[k], x));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImplicitRowSolver.SolveCholesky(gramian, factors, [10], [1f], 1f, 0.1f, new float[ImplicitRowSolver.ScratchLength(k)], x));
    }

    private static void AssertClose(double[] expected, float[] actual, double relative)
    {
        var scale = Math.Max(1e-6, expected.Max(Math.Abs));
        for (var f = 0; f < expected.Length; f++)
        {
            Assert.True(Math.Abs(expected[f] - actual[f]) <= relative * scale,
                $"component {f}: expected {expected[f]}, got {actual[f]}");
        }
    }

    private static double Distance(float[] a, float[] b) =>
        Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());
}
