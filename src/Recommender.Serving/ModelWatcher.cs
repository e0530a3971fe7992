using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Recommender.Serving;

/// <summary>
/// Keeps the registry on the newest (or pinned) version of each served model: rescans the
/// repository on file-system events and on a polling interval (events are unreliable on network
/// volumes), loads and validates a new version completely, then swaps it in. A version that fails
/// to load is logged and remembered, and the previous version keeps serving; it is tried again
/// once its folder has changed and then stayed unchanged for the settle delay, because a version
/// copied in place (cp -r, gsutil rsync) looks broken until its last file has landed.
/// </summary>
public sealed partial class ModelWatcher(
    ServableModelLoader loader,
    ModelRegistry registry,
    IOptions<InferenceOptions> options,
    ServingMetrics metrics,
    ILogger<ModelWatcher> logger) : BackgroundService
{
    private readonly InferenceOptions _options = options.Value;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly Dictionary<(string Name, long Version), RefusedVersion> _refused = [];
    private readonly HashSet<(string Name, long Version)> _warnedDeleted = [];
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _scanGate = new(1, 1);

    // When a refused version that is still changing should be looked at again (Environment.TickCount64), or 0.
    private long _recheckAt;

    /// <summary>Scans now and loads what changed (also used by tests and the first start).</summary>
    public async Task ScanAsync(CancellationToken cancellationToken)
    {
        await _scanGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _recheckAt = 0;
            foreach (var name in ModelNames())
            {
                cancellationToken.ThrowIfCancellationRequested();
                await ScanModelAsync(name, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _scanGate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Directory.CreateDirectory(_options.RepositoryPath);
        using var watcher = _options.WatchFileSystem ? StartFileSystemWatcher() : null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ScanAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogScanFailed(logger, ex);
            }

            using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            poll.CancelAfter(NextWait());
            try
            {
                await _changes.Reader.ReadAsync(poll.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The polling interval (or a refused version's settle delay) elapsed: scan again.
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        registry.Clear();
    }

    private async Task ScanModelAsync(string name, CancellationToken cancellationToken)
    {
        var served = registry.ServedVersion(name);
        var target = _options.PinnedVersion > 0 ? _options.PinnedVersion : loader.Repository.LatestVersion(name);
        var servedDeleted = served is { } s && !Directory.Exists(loader.Repository.VersionPath(name, s));
        if (target is not { } version || version == served || !ShouldTry(name, version))
        {
            if (servedDeleted)
            {
                WarnServedDeleted(name, served!.Value);
            }

            return;
        }

        // Only a deletion makes the newest remaining version older than the served one.
        var rollback = servedDeleted && version < served;
        if (rollback)
        {
            LogRollingBack(logger, name, served!.Value, version);
        }

        if (await LoadAsync(name, version, cancellationToken).ConfigureAwait(false))
        {
            if (rollback)
            {
                metrics.ModelRollbacks.Add(1, new KeyValuePair<string, object?>("model", name));
            }
        }
        else if (servedDeleted)
        {
            WarnServedDeleted(name, served!.Value);
        }
    }

    /// <summary>
    /// Whether to load a version: always when it was never refused; after a refusal only once its
    /// folder differs from what was refused and has not changed for the settle delay.
    /// </summary>
    private bool ShouldTry(string name, long version)
    {
        if (!_refused.TryGetValue((name, version), out var refused))
        {
            return true;
        }

        var now = FolderStamp.Of(loader.Repository.VersionPath(name, version));
        if (now == refused.Stamp)
        {
            return false;
        }

        var tick = Environment.TickCount64;
        if (now != refused.LastSeen)
        {
            refused.LastSeen = now;
            refused.LastChangeAt = tick;
        }

        var settledAt = refused.LastChangeAt + (long)_options.SettleDelay.TotalMilliseconds;
        if (tick >= settledAt)
        {
            return true;
        }

        _recheckAt = _recheckAt == 0 ? settledAt : Math.Min(_recheckAt, settledAt);
        return false;
    }

    private async Task<bool> LoadAsync(string name, long version, CancellationToken cancellationToken)
    {
        // Taken before loading: a file that lands during the attempt counts as a change.
        var stamp = FolderStamp.Of(loader.Repository.VersionPath(name, version));
        try
        {
            var model = await Task.Run(() => loader.Load(name, version), cancellationToken).ConfigureAwait(false);
            var previous = registry.ServedVersion(name);
            registry.Install(model);
            metrics.ModelLoads.Add(1, new KeyValuePair<string, object?>("outcome", "loaded"));
            LogLoaded(logger, name, version, previous ?? 0, model.ExecutionProvider);
            var sincePublished = DateTimeOffset.UtcNow - model.Bundle.Manifest.CreatedAt;

            // Versions that were already there when the server started measure its start, not publication.
            if (model.Bundle.Manifest.CreatedAt >= _started)
            {
                metrics.PublishToServing.Record(sincePublished.TotalSeconds, new KeyValuePair<string, object?>("model", name));
            }

            LogMemory(logger, name, version, sincePublished.TotalSeconds, model.ArtifactBytes / (1024 * 1024), model.LoadResidentBytes / (1024 * 1024));
            if (_refused.Remove((name, version)))
            {
                LogLoadedAfterRefusal(logger, name, version);
            }

            _warnedDeleted.RemoveWhere(k => k.Name == name);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _refused[(name, version)] = new RefusedVersion(stamp);
            metrics.ModelLoads.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
            LogRefused(logger, ex, name, version, registry.ServedVersion(name) ?? 0);
            return false;
        }
    }

    private void WarnServedDeleted(string name, long served)
    {
        if (_warnedDeleted.Add((name, served)))
        {
            LogServedDeleted(logger, name, served);
        }
    }

    private TimeSpan NextWait()
    {
        if (_recheckAt == 0)
        {
            return _options.PollInterval;
        }

        var due = TimeSpan.FromMilliseconds(Math.Max(1, _recheckAt - Environment.TickCount64));
        return due < _options.PollInterval ? due : _options.PollInterval;
    }

    private IEnumerable<string> ModelNames() =>
        _options.ModelNames.Count > 0 ? _options.ModelNames : loader.Repository.ListModelNames();

    private FileSystemWatcher StartFileSystemWatcher()
    {
        var watcher = new FileSystemWatcher(_options.RepositoryPath)
        {
            IncludeSubdirectories = true,
            // File writes too: a version copied in place changes after its folder appears.
            NotifyFilter = NotifyFilters.DirectoryName | NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        // Publishing renames a staging folder into place: that rename is the signal.
        watcher.Created += (_, _) => _changes.Writer.TryWrite(true);
        watcher.Renamed += (_, _) => _changes.Writer.TryWrite(true);
        watcher.Deleted += (_, _) => _changes.Writer.TryWrite(true);
        watcher.Changed += (_, _) => _changes.Writer.TryWrite(true);
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    /// <summary>What a refused version's folder looked like when refused, and when it last changed since.</summary>
    private sealed class RefusedVersion(FolderStamp stamp)
    {
        public FolderStamp Stamp { get; } = stamp;

        public FolderStamp LastSeen { get; set; } = stamp;

        public long LastChangeAt { get; set; }
    }

    /// <summary>Enough of a folder's state to tell that files were added, removed, grown or rewritten.</summary>
    private readonly record struct FolderStamp(int Files, long Bytes, DateTime LastWriteUtc)
    {
        public static FolderStamp Of(string path)
        {
            var folder = new DirectoryInfo(path);
            if (!folder.Exists)
            {
                return default;
            }

            var files = 0;
            var bytes = 0L;
            var last = folder.LastWriteTimeUtc;
            foreach (var file in folder.EnumerateFiles("*", SearchOption.AllDirectories))
            {
                files++;
                bytes += file.Length;
                last = file.LastWriteTimeUtc > last ? file.LastWriteTimeUtc : last;
            }

            return new FolderStamp(files, bytes, last);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving model {Name} version {Version} (was {Previous}) on {Provider}")]
    private static partial void LogLoaded(ILogger logger, string name, long version, long previous, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Name} version {Version}: serving {Seconds:F1} s after its commit; artifact {ArtifactMiB} MiB, resident memory grew {ResidentMiB} MiB while it loaded")]
    private static partial void LogMemory(ILogger logger, string name, long version, double seconds, long artifactMiB, long residentMiB);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Name} version {Version}, refused earlier, loaded now that its files have changed")]
    private static partial void LogLoadedAfterRefusal(ILogger logger, string name, long version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refused model {Name} version {Version}; still serving version {Serving}. It is tried again when its files change")]
    private static partial void LogRefused(ILogger logger, Exception exception, string name, long version, long serving);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Name} version {Served} was deleted while served; rolling back to version {Version}. To serve an older version on purpose, pin it (Inference:PinnedVersion)")]
    private static partial void LogRollingBack(ILogger logger, string name, long served, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Name} version {Served} was deleted while served and no other version could be loaded; still serving it from memory")]
    private static partial void LogServedDeleted(ILogger logger, string name, long served);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scanning the model repository failed")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);
}
