using System.Diagnostics;

namespace Recommender.Training.Mf;

/// <summary>
/// A barrier for the short sub-rounds of blocked SGD (about a millisecond each at 100k ratings).
/// <see cref="Barrier"/> soon parks waiting threads in the kernel, and waking a parked thread
/// took longer here than the imbalance it waited on (on a VM, a wake-up costs tens to hundreds of
/// microseconds, several times per epoch). This one spins (yielding the core to other runnable
/// threads) for up to <see cref="SpinLimit"/>, then sleeps in 1 ms steps, so a long wait, such as
/// a slow progress handler between epochs, does not burn a core.
/// </summary>
internal sealed class SpinningBarrier
{
    private static readonly TimeSpan SpinLimit = TimeSpan.FromMilliseconds(2);

    private readonly int participants;
    private int remaining;
    private int phase;

    public SpinningBarrier(int participants)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(participants);
        this.participants = participants;
        remaining = participants;
    }

    public void SignalAndWait()
    {
        var current = Volatile.Read(ref phase);
        if (Interlocked.Decrement(ref remaining) == 0)
        {
            // Reset before releasing: no thread can reach the next barrier before phase moves on.
            Volatile.Write(ref remaining, participants);
            Volatile.Write(ref phase, current + 1);
            return;
        }

        var spinner = default(SpinWait);
        var started = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref phase) == current)
        {
            if (Stopwatch.GetElapsedTime(started) < SpinLimit)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }
}
