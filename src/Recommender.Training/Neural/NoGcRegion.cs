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
/// <remarks>
/// Trainings may run on two threads at once (AutoRec beside MF and the neural network). The
/// runtime has one region per process, so regions are counted: the first thread to enter starts
/// it, the last to leave ends it; a collection then waits until no thread is inside an epoch.
/// </remarks>
internal readonly struct NoGcRegion : IDisposable
{
    private static readonly long[] Budgets = [256L * 1024 * 1024, 64L * 1024 * 1024];
    private static readonly Lock Gate = new();
    private static int _inside;
    private static bool _started;
    private static long _budget;

    private readonly bool _entered;

    private NoGcRegion(bool entered) => _entered = entered;

    public static NoGcRegion Enter()
    {
        lock (Gate)
        {
            if (_inside++ == 0)
            {
                _started = TryStart();
            }
        }

        return new NoGcRegion(entered: true);
    }

    public void Dispose()
    {
        if (!_entered)
        {
            return;
        }

        lock (Gate)
        {
            // The region ends by itself when the budget is exceeded; ending it again would throw.
            if (--_inside == 0 && _started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }
    }

    /// <summary>
    /// Allocation after which a long stretch of calls should <see cref="Renew"/> the region: half
    /// the budget it started with (of the smaller budget when none started).
    /// </summary>
    public static long RenewAfterBytes => (Volatile.Read(ref _budget) is > 0 and var budget ? budget : Budgets[^1]) / 2;

    /// <summary>
    /// Ends and restarts the region when the caller is the only thread inside, between calls into
    /// libtorch: an epoch of millions of ratings (ML-25M: ~100 k batches) allocates more wrappers
    /// than one budget, and a region that runs out ends by itself, letting collections run while
    /// libtorch reads Scalars. The restart costs one collection. With others inside it does nothing.
    /// </summary>
    public static void Renew()
    {
        lock (Gate)
        {
            if (_inside != 1)
            {
                return;
            }

            if (_started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }

            _started = TryStart();
        }
    }

    private static bool TryStart()
    {
        // A region someone else started (outside this type) already protects.
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            return false;
        }

        foreach (var budget in Budgets)
        {
            try
            {
                if (GC.TryStartNoGCRegion(budget))
                {
                    _budget = budget;
                    return true;
                }

                return false;
            }
            catch (ArgumentOutOfRangeException)
            {
                // Larger than this runtime allows in one region: try the smaller budget.
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        return false;
    }
}
