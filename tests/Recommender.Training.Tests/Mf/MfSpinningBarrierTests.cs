using Recommender.Training.Mf;

namespace Recommender.Training.Tests.Mf;

public sealed class MfSpinningBarrierTests
{
    [Fact]
    public void No_thread_passes_a_phase_before_every_thread_has_reached_it()
    {
        const int threads = 3;
        const int phases = 2000;
        var barrier = new SpinningBarrier(threads);
        var arrived = 0;
        var violations = 0;

        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            for (var phase = 1; phase <= phases; phase++)
            {
                Interlocked.Increment(ref arrived);
                barrier.SignalAndWait();
                // Everyone has arrived for this phase, and the second barrier keeps anyone from
                // arriving for the next one while this thread looks.
                if (Volatile.Read(ref arrived) != phase * threads)
                {
                    Interlocked.Increment(ref violations);
                }

                barrier.SignalAndWait();
            }
        })).ToArray();
        foreach (var worker in workers)
        {
            worker.Start();
        }

        Assert.All(workers, worker => Assert.True(worker.Join(TimeSpan.FromSeconds(20))));
        Assert.Equal(0, violations);
        Assert.Equal(threads * phases, arrived);
    }
}
