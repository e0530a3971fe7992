using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Recommender.Serving;

/// <summary>
/// Keeps the registry on the newest (or pinned) version of each served model: rescans the
/// repository on file-system events and on a polling interval (events are unreliable on network
/// volumes), loads and validates a new version completely, then swaps it in. A version that fails
/// to load is logged and remembered, and the previous version keeps serving.
/// </summary>
public sealed partial class ModelWatcher(
    ServableModelLoader loader,
    ModelRegistry registry,
    IOptions<InferenceOptions> options,
    ServingMetrics metrics,
    ILogger<ModelWatcher> logger) : BackgroundService
{
    private readonly InferenceOptions _options = options.Value;
    private readonly HashSet<(string Name, long Version)> _refused = [];
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _scanGate = new(1, 1);

    /// <summary>Scans now and loads what changed (also used by tests and the first start).</summary>
    public async Task ScanAsync(CancellationToken cancellationToken)
    {
        await _scanGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var name in ModelNames())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var target = _options.PinnedVersion > 0 ? _options.PinnedVersion : loader.Repository.LatestVersion(name);
                if (target is not { } version || registry.ServedVersion(name) == version || _refused.Contains((name, version)))
                {
                    continue;
                }

                await LoadAsync(name, version, cancellationToken).ConfigureAwait(false);
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
            poll.CancelAfter(_options.PollInterval);
            try
            {
                await _changes.Reader.ReadAsync(poll.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The polling interval elapsed: scan again.
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        registry.Clear();
    }

    private async Task LoadAsync(string name, long version, CancellationToken cancellationToken)
    {
        try
        {
            var model = await Task.Run(() => loader.Load(name, version), cancellationToken).ConfigureAwait(false);
            var previous = registry.ServedVersion(name);
            registry.Install(model);
            metrics.ModelLoads.Add(1, new KeyValuePair<string, object?>("outcome", "loaded"));
            LogLoaded(logger, name, version, previous ?? 0, model.ExecutionProvider);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _refused.Add((name, version));
            metrics.ModelLoads.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
            LogRefused(logger, ex, name, version, registry.ServedVersion(name) ?? 0);
        }
    }

    private IEnumerable<string> ModelNames() =>
        _options.ModelNames.Count > 0 ? _options.ModelNames : loader.Repository.ListModelNames();

    private FileSystemWatcher StartFileSystemWatcher()
    {
        var watcher = new FileSystemWatcher(_options.RepositoryPath)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.DirectoryName | NotifyFilters.FileName,
        };
        // Publishing renames a staging folder into place: that rename is the signal.
        watcher.Created += (_, _) => _changes.Writer.TryWrite(true);
        watcher.Renamed += (_, _) => _changes.Writer.TryWrite(true);
        watcher.Deleted += (_, _) => _changes.Writer.TryWrite(true);
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving model {Name} version {Version} (was {Previous}) on {Provider}")]
    private static partial void LogLoaded(ILogger logger, string name, long version, long previous, string provider);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refused model {Name} version {Version}; still serving version {Serving}")]
    private static partial void LogRefused(ILogger logger, Exception exception, string name, long version, long serving);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scanning the model repository failed")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);
}
