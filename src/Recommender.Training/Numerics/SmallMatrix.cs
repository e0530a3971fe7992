namespace Recommender.Training.Numerics;

/// <summary>
/// Dense symmetric positive-definite algebra on d x d row-major doubles, for the small d
/// (factors + 1) of the Gibbs sampler: Cholesky factorization and triangular solves. No library:
/// d is tens at most, and every step must be reproducible bit for bit.
/// </summary>
internal static class SmallMatrix
{
    /// <summary>Overwrites the lower triangle of <paramref name="a"/> with L where A = L Lᵀ; the upper triangle is left as is.</summary>
    public static void Cholesky(Span<double> a, int d)
    {
        for (var j = 0; j < d; j++)
        {
            var diagonal = a[(j * d) + j];
            for (var k = 0; k < j; k++)
            {
                diagonal -= a[(j * d) + k] * a[(j * d) + k];
            }

            if (!(diagonal > 0))
            {
                throw new InvalidOperationException($"The matrix is not positive definite (pivot {j} is {diagonal}).");
            }

            var pivot = Math.Sqrt(diagonal);
            a[(j * d) + j] = pivot;
            for (var i = j + 1; i < d; i++)
            {
                var sum = a[(i * d) + j];
                for (var k = 0; k < j; k++)
                {
                    sum -= a[(i * d) + k] * a[(j * d) + k];
                }

                a[(i * d) + j] = sum / pivot;
            }
        }
    }

    /// <summary>Solves L y = b in place (L lower triangular from <see cref="Cholesky"/>).</summary>
    public static void SolveLower(ReadOnlySpan<double> l, int d, Span<double> b)
    {
        for (var i = 0; i < d; i++)
        {
            var sum = b[i];
            for (var k = 0; k < i; k++)
            {
                sum -= l[(i * d) + k] * b[k];
            }

            b[i] = sum / l[(i * d) + i];
        }
    }

    /// <summary>Solves Lᵀ x = b in place.</summary>
    public static void SolveUpper(ReadOnlySpan<double> l, int d, Span<double> b)
    {
        for (var i = d - 1; i >= 0; i--)
        {
            var sum = b[i];
            for (var k = i + 1; k < d; k++)
            {
                sum -= l[(k * d) + i] * b[k];
            }

            b[i] = sum / l[(i * d) + i];
        }
    }

    /// <summary>Inverts an SPD matrix (through its Cholesky factor) into <paramref name="inverse"/>.</summary>
    public static void InvertSpd(ReadOnlySpan<double> a, int d, Span<double> inverse)
    {
        var l = a.ToArray();
        Cholesky(l, d);
        var column = new double[d];
        for (var j = 0; j < d; j++)
        {
            Array.Clear(column);
            column[j] = 1;
            SolveLower(l, d, column);
            SolveUpper(l, d, column);
            for (var i = 0; i < d; i++)
            {
                inverse[(i * d) + j] = column[i];
            }
        }
    }
}
