using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Recommender.Jobs;

/// <summary>
/// The job system's front: validates and queues jobs, finds, lists and cancels them. Jobs wait in
/// a channel read by one <see cref="TrainingJobRunner"/>, so they run one at a time in arrival order.
/// Constructing it does no I/O: the records of earlier processes are handed in by
/// <see cref="JobRecovery"/> when the host starts, before it takes calls.
/// </summary>
public sealed class TrainingJobManager : ITrainingJobs, IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TrainingJob> _jobs = new(StringComparer.Ordinal);
    // Unbounded as a channel; bounded by _waiting, which (unlike a bounded channel's count) frees a
    // slot at once when a queued job is cancelled instead of when the runner gets to it.
    private readonly Channel<TrainingJob> _queue = Channel.CreateUnbounded<TrainingJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly JobOptions _options;
    private readonly JobRequestValidator _validator;
    private readonly JobStore _store;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);
    private string? _running;
    private bool _restored;

    public TrainingJobManager(IOptions<JobOptions> options, JobRequestValidator validator, JobStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _validator = validator;
        _store = store;
        _time = time;
    }

    internal ChannelReader<TrainingJob> Queue => _queue.Reader;

    /// <summary>Validates and queues a job. Throws <see cref="InvalidJobRequestException"/> or <see cref="JobQueueFullException"/>.</summary>
    public JobRecord Submit(JobRequest request)
    {
        var validated = _validator.Validate(request);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            // A record saved before recovery ran would be taken for one of a dead process and failed.
            if (!_restored)
            {
                throw new InvalidOperationException("The job system has not recovered its records yet: JobRecovery must start before jobs are submitted.");
            }

            if (_waiting.Count >= _options.QueueCapacity)
            {
                throw new JobQueueFullException(_options.QueueCapacity);
            }

            var id = Guid.NewGuid().ToString("N");
            var ahead = _waiting.Count + (_running is null ? 0 : 1);
            var record = new JobRecord(id, JobState.Queued, request with { ModelName = validated.ModelName }, now, null, null, null, null,
                [new JobEvent(JobEventKind.Queued, now) { Position = ahead }]);
            _store.Save(record);
            var job = new TrainingJob(record, _store);
            _jobs.Add(id, job);
            _waiting.Add(id);
            _queue.Writer.TryWrite(job);
            PruneLocked();
            return record;
        }
    }

    private TrainingJob Find(string jobId) =>
        TryFind(jobId) ?? throw new JobNotFoundException(jobId);

    public JobRecord Get(string jobId) => Find(jobId).Snapshot;

    /// <summary>Not an iterator, so that an unknown id throws here rather than at the first MoveNext.</summary>
    public IAsyncEnumerable<JobEvent> Watch(string jobId, CancellationToken cancellationToken = default) =>
        Find(jobId).WatchAsync(cancellationToken);

    /// <summary>Most recent first; 0 means the configured page size, which also caps larger limits.</summary>
    public IReadOnlyList<JobRecord> List(int limit)
    {
        if (limit < 0)
        {
            throw new InvalidJobRequestException("limit", $"{limit} is negative.");
        }

        var take = limit <= 0 ? _options.DefaultListLimit : Math.Min(limit, _options.DefaultListLimit);
        TrainingJob[] jobs;
        lock (_gate)
        {
            jobs = [.. _jobs.Values];
        }

        return [.. jobs.Select(j => j.Snapshot)
            .OrderByDescending(r => r.CreatedAt)
            .ThenByDescending(r => r.Id, StringComparer.Ordinal)
            .Take(take)];
    }

    public JobRecord Cancel(string jobId)
    {
        var job = Find(jobId);
        var record = job.RequestCancel(_time.GetUtcNow());
        if (record.State == JobState.Cancelled)
        {
            // Cancelled while queued: it no longer holds a queue slot (the runner skips it).
            lock (_gate)
            {
                _waiting.Remove(jobId);
            }
        }

        return record;
    }

    /// <summary>The runner took <paramref name="job"/> off the queue; returns false if it was cancelled meanwhile.</summary>
    internal bool BeginRun(TrainingJob job)
    {
        lock (_gate)
        {
            _waiting.Remove(job.Id);
            if (job.Snapshot.State != JobState.Queued)
            {
                return false;
            }

            _running = job.Id;
            return true;
        }
    }

    internal void EndRun()
    {
        lock (_gate)
        {
            _running = null;
        }
    }

    internal void CompleteQueue() => _queue.Writer.TryComplete();

    /// <summary>
    /// Takes the records of earlier processes, already settled by <see cref="JobRecovery"/> (none of
    /// them is queued or running), and opens the manager for submissions.
    /// </summary>
    internal void Restore(IEnumerable<JobRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        lock (_gate)
        {
            foreach (var record in records)
            {
                if (!_jobs.ContainsKey(record.Id))
                {
                    _jobs.Add(record.Id, new TrainingJob(record, _store));
                }
            }

            PruneLocked();
            _restored = true;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var job in _jobs.Values)
            {
                job.Dispose();
            }
        }
    }

    // Caller holds _gate. Deletes the oldest finished records beyond MaxRetainedJobs.
    private void PruneLocked()
    {
        var excess = _jobs.Count - _options.MaxRetainedJobs;
        if (excess <= 0)
        {
            return;
        }

        var oldest = _jobs.Values.Select(j => j.Snapshot).Where(r => r.State.IsTerminal())
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).Take(excess).ToList();
        foreach (var record in oldest)
        {
            _store.Delete(record.Id);
            _jobs.Remove(record.Id, out var job);
            job?.Dispose();
        }
    }

    private TrainingJob? TryFind(string jobId)
    {
        lock (_gate)
        {
            return _jobs.GetValueOrDefault(jobId);
        }
    }
}
