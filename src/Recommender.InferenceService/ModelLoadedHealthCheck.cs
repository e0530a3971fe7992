using Microsoft.Extensions.Diagnostics.HealthChecks;
using Recommender.Serving;

namespace Recommender.InferenceService;

/// <summary>SERVING only once a model version is loaded: a load balancer can trust it.</summary>
internal sealed class ModelLoadedHealthCheck(ModelRegistry registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(registry.IsEmpty
            ? HealthCheckResult.Unhealthy("no model version loaded")
            : HealthCheckResult.Healthy($"serving {string.Join(", ", registry.Names)}"));
}
