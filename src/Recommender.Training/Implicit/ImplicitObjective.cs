using Recommender.Models.Implicit;

namespace Recommender.Training.Implicit;

/// <summary>
/// The weighted ALS loss, without visiting the U×I unobserved pairs:
/// <code>
///   L = Σ_u ( Σ_{i∈I_u} [c (ŷ − 1)² − α0 ŷ²] + λ_u‖p_u‖² ) + α0 ⟨PᵀP, QᵀQ⟩ + Σ_i λ_i‖q_i‖²
/// </code>
/// since the sum over all pairs of ŷ² is Σ_fg (PᵀP)_fg (QᵀQ)_fg. The per-user terms are computed by
/// the user half-step right after each row is solved (<see cref="RowTerm"/>), while the row's item
/// factors are still in cache: a separate pass over millions of interactions would cost a sixth of
/// the epoch. They are added in row order, so the number is the same on any thread count.
/// </summary>
internal static class ImplicitObjective
{
    /// <summary>Σ_{observed} [c (x·v − 1)² − α0 (x·v)²] + λ‖x‖² for one solved row.</summary>
    public static double RowTerm(ReadOnlySpan<float> x, ReadOnlySpan<float> fixedFactors, ReadOnlySpan<int> observed, ReadOnlySpan<float> confidence, float unobservedWeight, float regularization)
    {
        var k = x.Length;
        double sum = 0;
        for (var n = 0; n < observed.Length; n++)
        {
            double score = System.Numerics.Tensors.TensorPrimitives.Dot(x, fixedFactors.Slice(observed[n] * k, k));
            sum += (confidence[n] * (score - 1) * (score - 1)) - (unobservedWeight * score * score);
        }

        return sum + (regularization * (double)System.Numerics.Tensors.TensorPrimitives.Dot(x, x));
    }

    /// <summary>The whole loss from the user rows' terms, both Gramians and the item factors.</summary>
    public static double Total(double[] userTerms, float[] itemFactors, float[] userGramian, float[] itemGramian, InteractionMatrix byItem, ImplicitSolveParameters parameters, int k)
    {
        double all = 0;
        for (var n = 0; n < k * k; n++)
        {
            all += (double)userGramian[n] * itemGramian[n];
        }

        var loss = parameters.UnobservedWeight * all;
        foreach (var term in userTerms)
        {
            loss += term;
        }

        for (var i = 0; i < byItem.RowCount; i++)
        {
            var q = itemFactors.AsSpan(i * k, k);
            loss += parameters.RowRegularization(byItem.RowLength(i), byItem.ColumnCount) * (double)System.Numerics.Tensors.TensorPrimitives.Dot(q, q);
        }

        return loss;
    }
}
