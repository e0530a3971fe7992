namespace Recommender.Models.Implicit;

/// <summary>
/// Solves one row of implicit ALS: the k-vector x minimizing
/// <c>Σ_j c_j (x·v_j − 1)² + α0 Σ_{unobserved} (x·v)² + λ‖x‖²</c> over the fixed side's rows v,
/// i.e. the normal equations
/// <code>
///   (α0·G + Σ_j (c_j − α0) v_j v_jᵀ + λI) x = Σ_j c_j v_j,     G = VᵀV over all fixed rows
/// </code>
/// Training calls it for every user and item row; serving calls it to fold a new user's history
/// in. Nothing is allocated: the caller hands in a scratch span of <see cref="ScratchLength"/>
/// floats (one per thread), so rows can be solved in parallel.
/// </summary>
public static class ImplicitRowSolver
{
    /// <summary>Observed rows handled together by the conjugate-gradient products.</summary>
    private const int Batch = 32;

    /// <summary>Floats of scratch a solve needs for k factors: a k×k matrix and four k-vectors.</summary>
    public static int ScratchLength(int factors) => (factors * factors) + (4 * factors);

    /// <summary>
    /// Exact solve: builds the normal equations (lower triangle) and factors them by Cholesky.
    /// O(n·k²) for n observed entries plus O(k³/3).
    /// </summary>
    /// <param name="gramian">G = VᵀV of the fixed side, k×k row-major.</param>
    /// <param name="fixedFactors">The fixed side's factors, row-major with k columns.</param>
    /// <param name="observed">Row indices (into <paramref name="fixedFactors"/>) of the observed entries.</param>
    /// <param name="confidence">c_j of each observed entry.</param>
    /// <param name="unobservedWeight">α0.</param>
    /// <param name="regularization">λ of this row (already frequency-scaled).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/>(k) floats.</param>
    /// <param name="result">x, k floats.</param>
    /// <exception cref="InvalidOperationException">The system is not numerically positive definite.</exception>
    public static void SolveCholesky(
        ReadOnlySpan<float> gramian,
        ReadOnlySpan<float> fixedFactors,
        ReadOnlySpan<int> observed,
        ReadOnlySpan<float> confidence,
        float unobservedWeight,
        float regularization,
        Span<float> scratch,
        Span<float> result)
    {
        var k = result.Length;
        CheckArguments(gramian, observed, confidence, scratch, k);
        var a = scratch[..(k * k)];
        var b = scratch.Slice(k * k, k);

        // A = α0·G + λI (lower triangle and diagonal; the rest is never read).
        for (var f = 0; f < k; f++)
        {
            var row = a.Slice(f * k, k);
            var g = gramian.Slice(f * k, k);
            for (var c = 0; c <= f; c++)
            {
                row[c] = unobservedWeight * g[c];
            }

            row[f] += regularization;
        }

        b.Clear();
        for (var n = 0; n < observed.Length; n++)
        {
            var v = fixedFactors.Slice(observed[n] * k, k);
            var weight = confidence[n] - unobservedWeight;
            VectorOps.Axpy(confidence[n], v, b);
            if (weight == 0f)
            {
                continue;
            }

            for (var f = 0; f < k; f++)
            {
                // Row f needs columns 0..f; rounding the length up to whole vectors writes a few
                // entries above the diagonal, which Cholesky never reads, and saves a scalar tail.
                var length = Math.Min(k, (f + 8) & ~7);
                VectorOps.Axpy(weight * v[f], v[..length], a.Slice(f * k, length));
            }
        }

        CholeskyInPlace(a, k);
        SolveFactored(a, k, b, result);
    }

    /// <summary>
    /// Approximate solve: <paramref name="steps"/> conjugate-gradient iterations started from the
    /// current <paramref name="x"/> (the row's previous value, which is already close after the
    /// first epochs). Never forms the k×k matrix: O(steps·(k² + n·k)).
    /// </summary>
    public static void SolveConjugateGradient(
        ReadOnlySpan<float> gramian,
        ReadOnlySpan<float> fixedFactors,
        ReadOnlySpan<int> observed,
        ReadOnlySpan<float> confidence,
        float unobservedWeight,
        float regularization,
        int steps,
        Span<float> scratch,
        Span<float> x)
    {
        var k = x.Length;
        CheckArguments(gramian, observed, confidence, scratch, k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var r = scratch.Slice(0, k);
        var p = scratch.Slice(k, k);
        var ap = scratch.Slice(2 * k, k);

        // r = b − A·x with b = Σ c_j v_j, in one pass over the observed rows:
        // r = −(α0·G + λI)·x + Σ_j (c_j − (c_j − α0)·(v_j·x)) v_j.
        VectorOps.SymmetricMatVec(gramian, x, -unobservedWeight, -regularization, r);

        Span<float> coefficients = stackalloc float[Batch];
        for (var start = 0; start < observed.Length; start += Batch)
        {
            var batch = observed.Slice(start, Math.Min(Batch, observed.Length - start));
            for (var n = 0; n < batch.Length; n++)
            {
                var c = confidence[start + n];
                coefficients[n] = c - ((c - unobservedWeight) * VectorOps.Dot(fixedFactors.Slice(batch[n] * k, k), x));
            }

            VectorOps.AccumulateRows(fixedFactors, batch, coefficients, r);
        }

        r.CopyTo(p);
        var rs = VectorOps.Dot(r, r);
        for (var step = 0; step < steps && rs > 1e-20f; step++)
        {
            Apply(gramian, fixedFactors, observed, confidence, unobservedWeight, regularization, p, ap);
            var curvature = VectorOps.Dot(p, ap);
            if (!(curvature > 0f))
            {
                break;
            }

            var stepSize = rs / curvature;
            VectorOps.Axpy(stepSize, p, x);
            VectorOps.Axpy(-stepSize, ap, r);
            var next = VectorOps.Dot(r, r);
            var beta = next / rs;
            for (var f = 0; f < k; f++)
            {
                p[f] = r[f] + (beta * p[f]);
            }

            rs = next;
        }
    }

    /// <summary>out = (α0·G + Σ_j (c_j − α0) v_j v_jᵀ + λI)·p without forming the matrix.</summary>
    private static void Apply(
        ReadOnlySpan<float> gramian,
        ReadOnlySpan<float> fixedFactors,
        ReadOnlySpan<int> observed,
        ReadOnlySpan<float> confidence,
        float unobservedWeight,
        float regularization,
        ReadOnlySpan<float> p,
        Span<float> output)
    {
        var k = p.Length;
        VectorOps.SymmetricMatVec(gramian, p, unobservedWeight, regularization, output);

        // The observed rows in batches: first their (independent) dot products, then one
        // register-blocked sweep adding them up.
        Span<float> coefficients = stackalloc float[Batch];
        for (var start = 0; start < observed.Length; start += Batch)
        {
            var batch = observed.Slice(start, Math.Min(Batch, observed.Length - start));
            for (var n = 0; n < batch.Length; n++)
            {
                coefficients[n] = (confidence[start + n] - unobservedWeight) * VectorOps.Dot(fixedFactors.Slice(batch[n] * k, k), p);
            }

            VectorOps.AccumulateRows(fixedFactors, batch, coefficients, output);
        }
    }

    /// <summary>Replaces the lower triangle of the k×k matrix by L with A = L·Lᵀ (row-oriented, contiguous dots).</summary>
    private static void CholeskyInPlace(Span<float> a, int k)
    {
        for (var j = 0; j < k; j++)
        {
            var rowJ = a.Slice(j * k, j);
            var pivot = a[(j * k) + j] - VectorOps.Dot(rowJ, rowJ);
            if (!(pivot > 0f) || !float.IsFinite(pivot))
            {
                throw new InvalidOperationException(
                    $"The implicit ALS row system is not positive definite (pivot {pivot} at {j}); raise the regularization.");
            }

            var diagonal = MathF.Sqrt(pivot);
            a[(j * k) + j] = diagonal;
            var inverse = 1f / diagonal;
            for (var i = j + 1; i < k; i++)
            {
                a[(i * k) + j] = (a[(i * k) + j] - VectorOps.Dot(a.Slice(i * k, j), rowJ)) * inverse;
            }
        }
    }

    /// <summary>Solves L·Lᵀ·x = b with the factor in the lower triangle; b is overwritten.</summary>
    private static void SolveFactored(ReadOnlySpan<float> l, int k, Span<float> b, Span<float> x)
    {
        // Forward: L·y = b, y stored in b.
        for (var i = 0; i < k; i++)
        {
            b[i] = (b[i] - VectorOps.Dot(l.Slice(i * k, i), b)) / l[(i * k) + i];
        }

        // Backward: Lᵀ·x = y by rows of L from the bottom: once x_i is known, its term leaves
        // every earlier equation (contiguous row prefixes instead of strided columns).
        for (var i = k - 1; i >= 0; i--)
        {
            var xi = b[i] / l[(i * k) + i];
            x[i] = xi;
            VectorOps.Axpy(-xi, l.Slice(i * k, i), b);
        }
    }

    private static void CheckArguments(ReadOnlySpan<float> gramian, ReadOnlySpan<int> observed, ReadOnlySpan<float> confidence, Span<float> scratch, int k)
    {
        if (k == 0 || gramian.Length < k * k)
        {
            throw new ArgumentException($"The Gramian holds {gramian.Length} values; {k}x{k} needed.", nameof(gramian));
        }

        if (confidence.Length != observed.Length)
        {
            throw new ArgumentException($"{observed.Length} observed entries but {confidence.Length} confidences.", nameof(confidence));
        }

        if (scratch.Length < ScratchLength(k))
        {
            throw new ArgumentException($"Scratch holds {scratch.Length} floats; {ScratchLength(k)} needed.", nameof(scratch));
        }
    }
}
