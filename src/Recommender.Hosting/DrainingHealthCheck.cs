using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Recommender.Hosting;

/// <summary>Unhealthy (gRPC NOT_SERVING) once shutdown has begun.</summary>
public sealed class DrainingHealthCheck(ServiceLifecycle lifecycle) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifecycle.IsDraining
            ? HealthCheckResult.Unhealthy("draining: shutting down")
            : HealthCheckResult.Healthy());
}
