using System.Runtime;

namespace Recommender.Training.Neural;

/// <summary>
/// Holds off garbage collection while a batch of libtorch calls runs. TorchSharp turns numbers
/// into native Scalars (Tensor + Tensor passes alpha = 1; Adam's step passes its betas) held only
/// by an IntPtr: once a call has read the handle, the wrapper is garbage, and a collection
/// triggered meanwhile by another thread can finalize (free) the Scalar while libtorch still reads
/// it. Seen here as intermittent "Scalar::toDouble: Expected false to be true" failures in
/// Adam.step and pow, about one run in ten on a busy machine. Collections then happen between
/// epochs only, when no call is in flight; an epoch allocates megabytes (wrappers of a few hundred
/// batches), below the budget. Starting a region costs a collection, so it spans an epoch, not a batch.
/// </summary>
internal readonly struct NoGcRegion : IDisposable
{
    private static readonly long[] Budgets = [256L * 1024 * 1024, 64L * 1024 * 1024];

    private readonly bool _started;

    private NoGcRegion(bool started) => _started = started;

    public static NoGcRegion Enter()
    {
        // Nested or concurrent regions are refused by the runtime; the outer one already protects.
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            return default;
        }

        foreach (var budget in Budgets)
        {
            try
            {
                return new NoGcRegion(GC.TryStartNoGCRegion(budget));
            }
            catch (ArgumentOutOfRangeException)
            {
                // Larger than this runtime allows in one region: try the smaller budget.
            }
            catch (InvalidOperationException)
            {
                return default;
            }
        }

        return default;
    }

    public void Dispose()
    {
        // The region ends by itself when the budget is exceeded; ending it again would throw.
        if (_started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            GC.EndNoGCRegion();
        }
    }
}
