using System.Runtime.CompilerServices;

namespace Recommender.Jobs;

/// <summary>
/// A job while the process holds it: its current record, the cancellation of its run, and a
/// change signal that watchers wait on. Every change replaces the record under one lock, persists
/// it (state changes only; see <see cref="Append"/>), and wakes the watchers; a watcher reads the
/// event list from where it stopped, so any number of watchers see every event exactly once and in
/// order, whenever they joined.
/// </summary>
public sealed class TrainingJob : IDisposable
{
    private readonly Lock _gate = new();
    private readonly JobStore _store;
    private readonly CancellationTokenSource _cancel = new();
    private JobRecord _record;
    private TaskCompletionSource _changed = NewSignal();

    public TrainingJob(JobRecord record, JobStore store)
    {
        _record = record;
        _store = store;
    }

    public string Id => _record.Id;

    public JobRecord Snapshot
    {
        get
        {
            lock (_gate)
            {
                return _record;
            }
        }
    }

    /// <summary>Cancelled when a client cancels the job; the runner links it into the training run.</summary>
    public CancellationToken CancellationToken => _cancel.Token;

    public bool CancelRequested => _cancel.IsCancellationRequested;

    /// <summary>
    /// Appends an event and, with <paramref name="update"/>, changes the record's state fields in the
    /// same step. State changes are persisted before watchers see them; epoch events are not (a
    /// job's record is rewritten at its next state change, and a crash fails the job anyway), which
    /// keeps an fsync out of every epoch. Returns false (and changes nothing) once the job has ended.
    /// </summary>
    public bool Append(JobEvent jobEvent, Func<JobRecord, JobRecord>? update = null)
    {
        ArgumentNullException.ThrowIfNull(jobEvent);
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (_record.State.IsTerminal())
            {
                return false;
            }

            signal = ChangeLocked(jobEvent, update);
        }

        signal.TrySetResult();
        return true;
    }

    /// <summary>
    /// Marks a queued job cancelled at once; asks a running one to stop (its runner records the end).
    /// Returns the record after the request.
    /// </summary>
    public JobRecord RequestCancel(DateTimeOffset now)
    {
        TaskCompletionSource? signal = null;
        lock (_gate)
        {
            if (_record.State.IsTerminal())
            {
                return _record;
            }

            // Checked and changed under the lock that the runner's queued → running step also takes,
            // so a job is never both cancelled and started.
            if (_record.State == JobState.Queued)
            {
                signal = ChangeLocked(new JobEvent(JobEventKind.Cancelled, now), r => r with { State = JobState.Cancelled, FinishedAt = now });
            }
        }

        // Outside the lock: cancellation callbacks run synchronously on this thread.
        _cancel.Cancel();
        signal?.TrySetResult();
        return Snapshot;
    }

    /// <summary>Every event from the first, then live ones, until the job ends or the caller stops.</summary>
    public async IAsyncEnumerable<JobEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = 0;
        while (true)
        {
            IReadOnlyList<JobEvent> events;
            bool ended;
            Task changed;
            lock (_gate)
            {
                events = _record.Events;
                ended = _record.State.IsTerminal();
                changed = _changed.Task;
            }

            for (; next < events.Count; next++)
            {
                yield return events[next];
            }

            if (ended)
            {
                yield break;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _cancel.Dispose();

    // Caller holds _gate; returns the signal to complete once the lock is released.
    private TaskCompletionSource ChangeLocked(JobEvent jobEvent, Func<JobRecord, JobRecord>? update)
    {
        var next = _record with { Events = [.. _record.Events, jobEvent] };
        if (update is not null)
        {
            next = update(next);
            _store.Save(next);
        }

        _record = next;
        var signal = _changed;
        _changed = NewSignal();
        return signal;
    }

    // Continuations run on the thread pool, never inline on the training thread that signals.
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
