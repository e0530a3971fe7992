using Recommender.Training.Numerics;

namespace Recommender.Training.Blend;

/// <summary>A fitted linear blend: rating = intercept + Σ weight_m · clip(score_m).</summary>
public sealed record BlendWeights(double Intercept, IReadOnlyList<double> Weights)
{
    /// <summary>
    /// Least squares of <paramref name="targets"/> on the member columns (plus an unpenalized
    /// intercept), with a small ridge penalty that keeps the solve stable when members agree
    /// closely (their columns are nearly collinear).
    /// </summary>
    /// <param name="columns">One column of (clipped) scores per member, each as long as <paramref name="targets"/>.</param>
    public static BlendWeights Fit(IReadOnlyList<float[]> columns, float[] targets, double ridge)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegative(ridge);
        var m = columns.Count;
        var d = m + 1;
        var n = targets.Length;
        if (n <= d)
        {
            throw new ArgumentException($"A blend of {m} members needs more than {d} validation ratings (got {n}).", nameof(targets));
        }

        // Centre every column so the intercept decouples from the weights, then solve the normal
        // equations (XᵀX + λ n I) w = Xᵀy in the centred space.
        var means = new double[m];
        for (var j = 0; j < m; j++)
        {
            if (columns[j].Length != n)
            {
                throw new ArgumentException($"Member column {j} has {columns[j].Length} scores for {n} targets.", nameof(columns));
            }

            means[j] = columns[j].Average(v => (double)v);
        }

        var targetMean = targets.Average(v => (double)v);
        var gram = new double[m * m];
        var rhs = new double[m];
        for (var r = 0; r < n; r++)
        {
            var y = targets[r] - targetMean;
            for (var a = 0; a < m; a++)
            {
                var xa = columns[a][r] - means[a];
                rhs[a] += xa * y;
                for (var b = 0; b <= a; b++)
                {
                    gram[(a * m) + b] += xa * (columns[b][r] - means[b]);
                }
            }
        }

        for (var a = 0; a < m; a++)
        {
            gram[(a * m) + a] += ridge * n;
            for (var b = 0; b < a; b++)
            {
                gram[(b * m) + a] = gram[(a * m) + b];
            }
        }

        SmallMatrix.Cholesky(gram, m);
        SmallMatrix.SolveLower(gram, m, rhs);
        SmallMatrix.SolveUpper(gram, m, rhs);
        var intercept = targetMean;
        for (var a = 0; a < m; a++)
        {
            intercept -= rhs[a] * means[a];
        }

        return new BlendWeights(intercept, rhs);
    }

    public double Predict(IReadOnlyList<float[]> columns, int row)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var value = Intercept;
        for (var j = 0; j < Weights.Count; j++)
        {
            value += Weights[j] * columns[j][row];
        }

        return value;
    }
}
