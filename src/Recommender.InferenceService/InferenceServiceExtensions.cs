using Microsoft.Extensions.Options;
using Recommender.Hosting;
using Recommender.Models.Repository;
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
        builder.Services.AddSingleton<IExceptionStatusMap, InferenceErrorMap>();
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
        // The one repository of this host: the loader reads versions from it, the puller writes them into it.
        builder.Services.AddSingleton(sp => new ModelRepository(
            sp.GetRequiredService<IOptions<InferenceOptions>>().Value.RepositoryPath, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<ExecutionProviderCheck>();
        builder.Services.AddSingleton(sp => new ServableModelLoader(sp.GetRequiredService<ModelRepository>(),
            sp.GetRequiredService<OnnxSessionFactory>(), sp.GetRequiredService<IOptions<InferenceOptions>>(), sp.GetRequiredService<ServingMetrics>()));
        builder.Services.AddSingleton<IRecommendationEngine, RecommendationEngine>();
        builder.Services.AddSingleton<ModelWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelWatcher>());
        Pull.PullServiceExtensions.AddModelVersionPuller(builder);
        builder.Services.AddHealthChecks()
            .AddCheck<ModelLoadedHealthCheck>("model-loaded", tags: [GrpcHostExtensions.ReadinessTag]);
    }
}
