using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Models.Repository;

namespace Recommender.TrainerService.Jobs;

/// <summary>
/// The job system's front: validates and queues jobs, finds, lists and cancels them. Jobs wait in
/// a channel read by one <see cref="TrainingJobRunner"/>, so they run one at a time in arrival order.
/// On construction it loads the records of earlier processes: a job that was queued or running
/// when its process died can never finish, so it is marked failed (unless it had already committed
/// its version, which is then recorded as published); staging leftovers of an
/// interrupted publish are deleted (this process is the repository's only publisher).
/// </summary>
public sealed partial class TrainingJobManager : IDisposable
{
    public const string InterruptedReason = "interrupted by a restart";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, TrainingJob> _jobs = new(StringComparer.Ordinal);
    // Unbounded as a channel; bounded by _waiting, which (unlike a bounded channel's count) frees a
    // slot at once when a queued job is cancelled instead of when the runner gets to it.
    private readonly Channel<TrainingJob> _queue = Channel.CreateUnbounded<TrainingJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TrainerOptions _options;
    private readonly JobRequestValidator _validator;
    private readonly JobStore _store;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);
    private string? _running;

    public TrainingJobManager(IOptions<TrainerOptions> options, JobRequestValidator validator, JobStore store,
        ModelRepository repository, TimeProvider time, ILogger<TrainingJobManager> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(repository);
        _options = options.Value;
        _validator = validator;
        _store = store;
        _time = time;
        Recover(repository, logger);
    }

    internal ChannelReader<TrainingJob> Queue => _queue.Reader;

    /// <summary>Validates and queues a job. Throws <see cref="InvalidJobRequestException"/> or <see cref="JobQueueFullException"/>.</summary>
    public JobRecord Submit(JobRequest request)
    {
        var validated = _validator.Validate(request);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
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

    public TrainingJob Find(string jobId) =>
        TryFind(jobId) ?? throw new JobNotFoundException(jobId);

    public JobRecord Get(string jobId) => Find(jobId).Snapshot;

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

    private void Recover(ModelRepository repository, ILogger logger)
    {
        var now = _time.GetUtcNow();
        foreach (var record in _store.LoadAll())
        {
            var current = record;
            if (!record.State.IsTerminal() && PublishedBeforeCrash(repository, record) is { } version)
            {
                // Died between the commit (atomic rename) and the record update: the version is whole.
                current = record with
                {
                    State = JobState.Succeeded,
                    FinishedAt = now,
                    PublishedVersion = version,
                    Events = [.. record.Events, new JobEvent(JobEventKind.Published, now) { Version = version }],
                };
                _store.Save(current);
                LogRecoveredPublish(logger, record.Id, version);
            }
            else if (!record.State.IsTerminal())
            {
                current = record with
                {
                    State = JobState.Failed,
                    FinishedAt = now,
                    Error = InterruptedReason,
                    Events = [.. record.Events, new JobEvent(JobEventKind.Failed, now) { Reason = InterruptedReason }],
                };
                _store.Save(current);
                LogInterrupted(logger, record.Id, record.State);
            }

            _jobs[current.Id] = new TrainingJob(current, _store);
        }

        lock (_gate)
        {
            PruneLocked();
        }

        var removed = repository.CleanStaleStaging(TimeSpan.Zero);
        if (removed > 0)
        {
            LogStagingRemoved(logger, removed);
        }

        CleanDatasets();
    }

    /// <summary>
    /// The version an interrupted job committed, if it got that far: the job was exporting and the
    /// model's latest version was created after the export began. Sound because this process is the
    /// repository's only publisher and runs one job at a time.
    /// </summary>
    private static long? PublishedBeforeCrash(ModelRepository repository, JobRecord record)
    {
        var exporting = record.Events.LastOrDefault(e => e.Kind == JobEventKind.Exporting);
        if (exporting is null || record.State != JobState.Running || repository.LatestVersion(record.Request.ModelName) is not { } latest)
        {
            return null;
        }

        try
        {
            return repository.ReadManifest(record.Request.ModelName, latest).CreatedAt >= exporting.At ? latest : null;
        }
        catch (Exception ex) when (ex is Models.ArtifactFormatException or IOException)
        {
            return null;
        }
    }

    // Synthetic datasets of jobs that died with their process.
    private void CleanDatasets()
    {
        var folder = Path.Combine(_options.ResolvedJobsPath, "datasets");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} was {State} when the previous process stopped; marked failed")]
    private static partial void LogInterrupted(ILogger logger, string jobId, JobState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} was interrupted after publishing version {Version}; marked succeeded")]
    private static partial void LogRecoveredPublish(ILogger logger, string jobId, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} staging folders left by an interrupted publish")]
    private static partial void LogStagingRemoved(ILogger logger, int count);
}
