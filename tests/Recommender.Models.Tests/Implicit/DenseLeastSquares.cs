namespace Recommender.Models.Tests.Implicit;

/// <summary>
/// The reference for the row solver: the weighted least-squares row written out over every item of
/// the fixed side, no Gramian trick, in double, solved by Gaussian elimination with pivoting:
/// minimize Σ_i w_i (x·v_i − t_i)² + λ‖x‖² with w_i = c_i, t_i = 1 for observed items and
/// w_i = α0, t_i = 0 for the rest.
/// </summary>
internal static class DenseLeastSquares
{
    public static double[] Solve(float[] fixedFactors, int rows, int k, int[] observed, float[] confidence, float unobservedWeight, float regularization)
    {
        var weight = new double[rows];
        var target = new double[rows];
        Array.Fill(weight, unobservedWeight);
        if (observed.Distinct().Count() != observed.Length)
        {
            throw new ArgumentException("The reference takes distinct observed items.", nameof(observed));
        }

        for (var n = 0; n < observed.Length; n++)
        {
            weight[observed[n]] = confidence[n];
            target[observed[n]] = 1;
        }

        var a = new double[k, k + 1];
        for (var i = 0; i < rows; i++)
        {
            for (var f = 0; f < k; f++)
            {
                var vf = fixedFactors[(i * k) + f];
                for (var g = 0; g < k; g++)
                {
                    a[f, g] += weight[i] * vf * fixedFactors[(i * k) + g];
                }

                a[f, k] += weight[i] * target[i] * vf;
            }
        }

        for (var f = 0; f < k; f++)
        {
            a[f, f] += regularization;
        }

        for (var col = 0; col < k; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < k; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }

            for (var c = 0; c <= k; c++)
            {
                (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            }

            for (var r = 0; r < k; r++)
            {
                if (r != col)
                {
                    var factor = a[r, col] / a[col, col];
                    for (var c = col; c <= k; c++)
                    {
                        a[r, c] -= factor * a[col, c];
                    }
                }
            }
        }

        var x = new double[k];
        for (var f = 0; f < k; f++)
        {
            x[f] = a[f, k] / a[f, f];
        }

        return x;
    }

    public static float[] RandomMatrix(int rows, int k, int seed, float scale = 0.5f)
    {
        var random = new Random(seed);
        var values = new float[rows * k];
        for (var n = 0; n < values.Length; n++)
        {
            values[n] = (float)((random.NextDouble() - 0.5) * 2 * scale);
        }

        return values;
    }
}
