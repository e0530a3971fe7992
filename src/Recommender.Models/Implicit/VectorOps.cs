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
internal static class VectorOps
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
        var av = Vector256.Create(a);
        nuint i = 0;
        for (; i + 8 <= n; i += 8)
        {
            Vector256.MultiplyAddEstimate(av, Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i)).StoreUnsafe(ref py, i);
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref py, i) += a * Unsafe.Add(ref px, i);
        }
    }

    private static void ThrowLength() =>
        throw new ArgumentException("The second vector is shorter than the first.");
}
