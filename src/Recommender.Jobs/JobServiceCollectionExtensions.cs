using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Jobs.Versions;

namespace Recommender.Jobs;

/// <summary>Registers the job system and the version catalog for a host to wire.</summary>
public static class JobServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ITrainingJobs"/>, <see cref="IModelVersionCatalog"/>, the crash recovery and
    /// the runner. The host provides <c>IOptions&lt;JobOptions&gt;</c> (bound and validated), one
    /// <see cref="Models.Repository.ModelRepository"/> and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddTrainingJobs(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp => new JobStore(
            sp.GetRequiredService<IOptions<JobOptions>>().Value.ResolvedJobsPath, sp.GetRequiredService<ILogger<JobStore>>()));
        services.AddSingleton<DatasetResolver>();
        services.AddSingleton<JobRequestValidator>();
        services.AddSingleton<TrainingJobManager>();
        services.AddSingleton<ITrainingJobs>(sp => sp.GetRequiredService<TrainingJobManager>());
        services.AddSingleton<ModelVersionCatalog>();
        services.AddSingleton<IModelVersionCatalog>(sp => sp.GetRequiredService<ModelVersionCatalog>());
        // Hosted services start in registration order: the records are settled before the runner
        // starts and before the server takes calls.
        services.AddHostedService<JobRecovery>();
        services.AddHostedService<TrainingJobRunner>();
        return services;
    }
}
