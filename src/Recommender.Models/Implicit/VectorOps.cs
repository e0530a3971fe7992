using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recommender.Models.Implicit;

/// <summary>
/// Dot product and y += a·x over short float rows (a factor row, a row of a k×k matrix). The
/// row solves call these tens of millions of times per epoch on rows of 32–256 floats, where a
/// general-purpose library call's set-up is a visible share of the work; here it is inlined.
/// </summary>
public static class VectorOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            return TensorPrimitives.Dot(x, y[..x.Length]);
        }

        if (y.Length < x.Length)
        {
            ThrowLength();
        }

        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        var n = (nuint)x.Length;
        if (Vector512.IsHardwareAccelerated && n >= 32)
        {
            return Dot512(ref px, ref py, n);
        }

        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        nuint i = 0;
        // Two accumulators: one chain would wait out the FMA latency on every vector.
        for (; i + 16 <= n; i += 16)
        {
            acc0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i), acc0);
            acc1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref px, i + 8), Vector256.LoadUnsafe(ref py, i + 8), acc1);
        }

        if (i + 8 <= n)
        {
            acc0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i), acc0);
            i += 8;
        }

        var sum = Vector256.Sum(acc0 + acc1);
        for (; i < n; i++)
        {
            sum += Unsafe.Add(ref px, i) * Unsafe.Add(ref py, i);
        }

        return sum;
    }

    /// <summary>y[0..x.Length] += a·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length)
        {
            ThrowLength();
        }

        if (!Vector256.IsHardwareAccelerated)
        {
            TensorPrimitives.MultiplyAdd(x, a, y[..x.Length], y);
            return;
        }

        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        var n = (nuint)x.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var wide = Vector512.Create(a);
            for (; i + 16 <= n; i += 16)
            {
                Vector512.MultiplyAddEstimate(wide, Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i)).StoreUnsafe(ref py, i);
            }
        }

        var av = Vector256.Create(a);
        for (; i + 8 <= n; i += 8)
        {
            Vector256.MultiplyAddEstimate(av, Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i)).StoreUnsafe(ref py, i);
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref py, i) += a * Unsafe.Add(ref px, i);
        }
    }

    /// <summary>
    /// output = a·(M·x) + b·x for a symmetric k×k row-major M (so row g is also column g): a
    /// column sweep with the output block held in registers, instead of k dot products whose
    /// horizontal sums form a latency chain.
    /// </summary>
    public static void SymmetricMatVec(ReadOnlySpan<float> m, ReadOnlySpan<float> x, float a, float b, Span<float> output)
    {
        var k = x.Length;
        if (m.Length < k * k || output.Length < k)
        {
            ThrowLength();
        }

        if (!Vector256.IsHardwareAccelerated)
        {
            for (var f = 0; f < k; f++)
            {
                output[f] = (a * TensorPrimitives.Dot(m.Slice(f * k, k), x)) + (b * x[f]);
            }

            return;
        }

        ref var pm = ref MemoryMarshal.GetReference(m);
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var po = ref MemoryMarshal.GetReference(output);
        var n = (nuint)k;
        nuint f0 = 0;

        // Blocks of 32 output floats: four 256-bit accumulators, one pass over the k rows of M.
        for (; f0 + 32 <= n; f0 += 32)
        {
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            var acc2 = Vector256<float>.Zero;
            var acc3 = Vector256<float>.Zero;
            ref var column = ref Unsafe.Add(ref pm, f0);
            for (nuint g = 0; g < n; g++)
            {
                var xg = Vector256.Create(Unsafe.Add(ref px, g));
                ref var row = ref Unsafe.Add(ref column, g * n);
                acc0 = Vector256.MultiplyAddEstimate(xg, Vector256.LoadUnsafe(ref row, 0), acc0);
                acc1 = Vector256.MultiplyAddEstimate(xg, Vector256.LoadUnsafe(ref row, 8), acc1);
                acc2 = Vector256.MultiplyAddEstimate(xg, Vector256.LoadUnsafe(ref row, 16), acc2);
                acc3 = Vector256.MultiplyAddEstimate(xg, Vector256.LoadUnsafe(ref row, 24), acc3);
            }

            var av = Vector256.Create(a);
            var bv = Vector256.Create(b);
            Vector256.MultiplyAddEstimate(av, acc0, bv * Vector256.LoadUnsafe(ref px, f0)).StoreUnsafe(ref po, f0);
            Vector256.MultiplyAddEstimate(av, acc1, bv * Vector256.LoadUnsafe(ref px, f0 + 8)).StoreUnsafe(ref po, f0 + 8);
            Vector256.MultiplyAddEstimate(av, acc2, bv * Vector256.LoadUnsafe(ref px, f0 + 16)).StoreUnsafe(ref po, f0 + 16);
            Vector256.MultiplyAddEstimate(av, acc3, bv * Vector256.LoadUnsafe(ref px, f0 + 24)).StoreUnsafe(ref po, f0 + 24);
        }

        // The last k mod 32 outputs: row dots (by symmetry, the remaining columns).
        for (var f = (int)f0; f < k; f++)
        {
            output[f] = (a * Dot(m.Slice(f * k, k), x)) + (b * x[f]);
        }
    }

    /// <summary>
    /// output += Σ_j coefficients[j] · row rows[j] of <paramref name="factors"/> (k columns): the
    /// output block stays in registers while the rows stream past, where one y += a·x per row
    /// would load and store the output again for every row.
    /// </summary>
    public static void AccumulateRows(ReadOnlySpan<float> factors, ReadOnlySpan<int> rows, ReadOnlySpan<float> coefficients, Span<float> output)
    {
        var k = output.Length;
        if (coefficients.Length < rows.Length)
        {
            ThrowLength();
        }

        var f0 = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var po = ref MemoryMarshal.GetReference(output);
            for (; f0 + 32 <= k; f0 += 32)
            {
                var acc0 = Vector256.LoadUnsafe(ref po, (nuint)f0);
                var acc1 = Vector256.LoadUnsafe(ref po, (nuint)f0 + 8);
                var acc2 = Vector256.LoadUnsafe(ref po, (nuint)f0 + 16);
                var acc3 = Vector256.LoadUnsafe(ref po, (nuint)f0 + 24);
                for (var j = 0; j < rows.Length; j++)
                {
                    // Slice checks the row is inside the matrix; the loads then read 32 floats of it.
                    ref var row = ref MemoryMarshal.GetReference(factors.Slice((rows[j] * k) + f0, 32));
                    var c = Vector256.Create(coefficients[j]);
                    acc0 = Vector256.MultiplyAddEstimate(c, Vector256.LoadUnsafe(ref row, 0), acc0);
                    acc1 = Vector256.MultiplyAddEstimate(c, Vector256.LoadUnsafe(ref row, 8), acc1);
                    acc2 = Vector256.MultiplyAddEstimate(c, Vector256.LoadUnsafe(ref row, 16), acc2);
                    acc3 = Vector256.MultiplyAddEstimate(c, Vector256.LoadUnsafe(ref row, 24), acc3);
                }

                acc0.StoreUnsafe(ref po, (nuint)f0);
                acc1.StoreUnsafe(ref po, (nuint)f0 + 8);
                acc2.StoreUnsafe(ref po, (nuint)f0 + 16);
                acc3.StoreUnsafe(ref po, (nuint)f0 + 24);
            }
        }

        if (f0 < k)
        {
            var tail = output[f0..];
            for (var j = 0; j < rows.Length; j++)
            {
                Axpy(coefficients[j], factors.Slice((rows[j] * k) + f0, k - f0), tail);
            }
        }
    }

    // Rows of 32+ floats (k = 64 is two 512-bit loads per operand) on AVX-512 hardware: half the
    // instructions of the 256-bit loop.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot512(ref float px, ref float py, nuint n)
    {
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        nuint i = 0;
        for (; i + 32 <= n; i += 32)
        {
            acc0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i), acc0);
            acc1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref px, i + 16), Vector512.LoadUnsafe(ref py, i + 16), acc1);
        }

        if (i + 16 <= n)
        {
            acc0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i), acc0);
            i += 16;
        }

        var sum = Vector512.Sum(acc0 + acc1);
        for (; i < n; i++)
        {
            sum += Unsafe.Add(ref px, i) * Unsafe.Add(ref py, i);
        }

        return sum;
    }

    private static void ThrowLength() =>
        throw new ArgumentException("The second vector is shorter than the first.");
}
