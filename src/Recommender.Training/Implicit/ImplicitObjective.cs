using Recommender.Models.Implicit;

namespace Recommender.Training.Implicit;

/// <summary>
/// The weighted ALS loss, without visiting the U×I unobserved pairs:
/// <code>
///   L = Σ_obs [c (ŷ − 1)² − α0 ŷ²] + α0 ⟨PᵀP, QᵀQ⟩ + Σ_u λ_u‖p_u‖² + Σ_i λ_i‖q_i‖²
/// </code>
/// since Σ over all pairs of ŷ² = Σ_fg (PᵀP)_fg (QᵀQ)_fg. O(nnz·k + k²). Rows are summed in fixed
/// chunks added in order, so the number is the same on any thread count.
/// </summary>
internal sealed class ImplicitObjective(InteractionMatrix byUser, InteractionMatrix byItem, ImplicitSolveParameters parameters, int factors, int workers)
{
    private const int RowsPerChunk = 512;

    public double Compute(float[] userFactors, float[] itemFactors, float[] userGramian, float[] itemGramian)
    {
        var k = factors;
        double all = 0;
        for (var n = 0; n < k * k; n++)
        {
            all += (double)userGramian[n] * itemGramian[n];
        }

        var chunks = (byUser.RowCount + RowsPerChunk - 1) / RowsPerChunk;
        var partial = new double[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = workers }, c =>
        {
            double sum = 0;
            var end = Math.Min(byUser.RowCount, (c + 1) * RowsPerChunk);
            for (var u = c * RowsPerChunk; u < end; u++)
            {
                var p = userFactors.AsSpan(u * k, k);
                var items = byUser.ColumnsOf(u);
                var confidence = byUser.ConfidenceOf(u);
                for (var n = 0; n < items.Length; n++)
                {
                    var score = (double)System.Numerics.Tensors.TensorPrimitives.Dot(p, itemFactors.AsSpan(items[n] * k, k));
                    sum += (confidence[n] * (score - 1) * (score - 1)) - (parameters.UnobservedWeight * score * score);
                }

                sum += parameters.RowRegularization(items.Length, byUser.ColumnCount) * (double)System.Numerics.Tensors.TensorPrimitives.Dot(p, p);
            }

            partial[c] = sum;
        });

        var loss = parameters.UnobservedWeight * all;
        foreach (var value in partial)
        {
            loss += value;
        }

        for (var i = 0; i < byItem.RowCount; i++)
        {
            var q = itemFactors.AsSpan(i * k, k);
            loss += parameters.RowRegularization(byItem.RowLength(i), byItem.ColumnCount) * (double)System.Numerics.Tensors.TensorPrimitives.Dot(q, q);
        }

        return loss;
    }
}
