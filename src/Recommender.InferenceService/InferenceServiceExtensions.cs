using Microsoft.Extensions.Options;
using Recommender.Hosting;
using Recommender.Serving;

namespace Recommender.InferenceService;

/// <summary>Registers the serving domain and its configuration.</summary>
internal static class InferenceServiceExtensions
{
    public static void AddInferenceServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<InferenceOptions>()
            .Bind(builder.Configuration.GetSection(InferenceOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ServingMetrics>();
        builder.Services.AddSingleton(sp =>
        {
            var registry = new ModelRegistry(sp.GetRequiredService<ServingMetrics>());
            // Readiness follows the registry: watchers hear of a first load at once.
            registry.Changed += sp.GetRequiredService<HealthChanges>().Signal;
            return registry;
        });
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<InferenceOptions>>().Value;
            return new OnnxSessionFactory(options.ExecutionProvider, options.CudaDeviceId, options.IntraOpThreads,
                sp.GetRequiredService<ILogger<OnnxSessionFactory>>());
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<ExecutionProviderCheck>();
        builder.Services.AddSingleton<ServableModelLoader>();
        builder.Services.AddSingleton<RecommendationEngine>();
        builder.Services.AddSingleton<ModelWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelWatcher>());
        Pull.PullServiceExtensions.AddModelVersionPuller(builder);
        builder.Services.AddHealthChecks()
            .AddCheck<ModelLoadedHealthCheck>("model-loaded", tags: [GrpcHostExtensions.ReadinessTag]);
    }
}
