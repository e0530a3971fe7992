using Recommender.Training.Numerics;

namespace Recommender.Training.Mf.Bayesian;

/// <summary>
/// The hierarchical prior of one side's vectors (Salakhutdinov and Mnih 2008): rows ~ N(μ, Λ⁻¹)
/// with (μ, Λ) drawn each sweep from their Normal-Wishart posterior given the current rows
/// (hyper-prior μ₀ = 0, β₀ = 2, ν₀ = d, W₀ = I). The prior thus learns how large factors and
/// biases should be: the regularization SGD needs tuned is inferred here.
/// </summary>
internal sealed class NormalWishartPrior(int d)
{
    private const double Beta0 = 2;

    /// <summary>Λ, row-major d x d.</summary>
    public double[] Precision { get; } = Identity(d);

    /// <summary>Λ μ: the prior's contribution to each row's linear term.</summary>
    public double[] PrecisionTimesMean { get; } = new double[d];

    public void Sample(double[] rows, int count, ref GibbsRandom random)
    {
        var mean = new double[d];
        for (var r = 0; r < count; r++)
        {
            for (var a = 0; a < d; a++)
            {
                mean[a] += rows[(r * d) + a];
            }
        }

        for (var a = 0; a < d; a++)
        {
            mean[a] /= count;
        }

        // W*⁻¹ = W₀⁻¹ + N S + (β₀ N / (β₀ + N)) x̄ x̄ᵀ, with N S the scatter about the mean.
        var inverseScale = Identity(d);
        for (var r = 0; r < count; r++)
        {
            for (var a = 0; a < d; a++)
            {
                var da = rows[(r * d) + a] - mean[a];
                for (var b = 0; b <= a; b++)
                {
                    inverseScale[(a * d) + b] += da * (rows[(r * d) + b] - mean[b]);
                }
            }
        }

        var shrink = Beta0 * count / (Beta0 + count);
        for (var a = 0; a < d; a++)
        {
            for (var b = 0; b <= a; b++)
            {
                inverseScale[(a * d) + b] += shrink * mean[a] * mean[b];
                inverseScale[(b * d) + a] = inverseScale[(a * d) + b];
            }
        }

        var scale = new double[d * d];
        SmallMatrix.InvertSpd(inverseScale, d, scale);
        SampleWishart(scale, d + count, ref random, Precision);

        // μ ~ N(μ*, (β* Λ)⁻¹), μ* = N x̄ / β*.
        var betaStar = Beta0 + count;
        var factor = new double[d * d];
        for (var n = 0; n < factor.Length; n++)
        {
            factor[n] = betaStar * Precision[n];
        }

        SmallMatrix.Cholesky(factor, d);
        var noise = new double[d];
        for (var a = 0; a < d; a++)
        {
            noise[a] = random.NextGaussian();
        }

        SmallMatrix.SolveUpper(factor, d, noise);
        var mu = new double[d];
        for (var a = 0; a < d; a++)
        {
            mu[a] = (count * mean[a] / betaStar) + noise[a];
        }

        for (var a = 0; a < d; a++)
        {
            double sum = 0;
            for (var b = 0; b < d; b++)
            {
                sum += Precision[(a * d) + b] * mu[b];
            }

            PrecisionTimesMean[a] = sum;
        }
    }

    /// <summary>Wishart(W, ν) by the Bartlett decomposition: (L A)(L A)ᵀ with W = L Lᵀ.</summary>
    private static void SampleWishart(double[] scale, double degrees, ref GibbsRandom random, double[] result)
    {
        var d = (int)Math.Sqrt(scale.Length);
        var l = (double[])scale.Clone();
        SmallMatrix.Cholesky(l, d);
        var a = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            a[(i * d) + i] = Math.Sqrt(2 * random.NextGamma((degrees - i) / 2));
            for (var j = 0; j < i; j++)
            {
                a[(i * d) + j] = random.NextGaussian();
            }
        }

        // m = L A (both lower triangular), then result = m mᵀ.
        var m = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                double sum = 0;
                for (var k = j; k <= i; k++)
                {
                    sum += l[(i * d) + k] * a[(k * d) + j];
                }

                m[(i * d) + j] = sum;
            }
        }

        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                double sum = 0;
                for (var k = 0; k <= j; k++)
                {
                    sum += m[(i * d) + k] * m[(j * d) + k];
                }

                result[(i * d) + j] = sum;
                result[(j * d) + i] = sum;
            }
        }
    }

    private static double[] Identity(int d)
    {
        var identity = new double[d * d];
        for (var a = 0; a < d; a++)
        {
            identity[(a * d) + a] = 1;
        }

        return identity;
    }
}
