using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Recommender.Hosting;

/// <summary>
/// Evaluates the health checks and hands the report to the health publishers (the gRPC health
/// service's among them, which is what Watch streams read) whenever <see cref="HealthChanges"/> is
/// signalled, and every <see cref="Period"/> for changes nobody signals. The framework's own
/// publisher runs every 30 s, so Watch used to lag Check by up to that much; load balancers and
/// client-side health checking (Envoy, linkerd, gRPC clients) use Watch. The gRPC health service
/// only notifies watchers when a status really changes, so the frequent evaluation sends nothing
/// extra.
/// </summary>
internal sealed partial class HealthPushService(
    HealthCheckService checks,
    IEnumerable<IHealthCheckPublisher> publishers,
    HealthChanges changes,
    ILogger<HealthPushService> logger) : BackgroundService
{
    /// <summary>Longest a change nobody signalled takes to reach watchers (the checks are in-memory reads).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var report = await checks.CheckHealthAsync(stoppingToken).ConfigureAwait(false);
                foreach (var publisher in publishers)
                {
                    await publisher.PublishAsync(report, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPushFailed(logger, ex);
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(Period);
            try
            {
                await changes.WaitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The period elapsed without a signal: evaluate anyway.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing the health status failed")]
    private static partial void LogPushFailed(ILogger logger, Exception exception);
}
