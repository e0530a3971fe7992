using Microsoft.Extensions.Options;
using Recommender.Models.Repository;
using Recommender.TrainerService.Jobs;
using Recommender.TrainerService.Versions;

namespace Recommender.TrainerService;

/// <summary>Registers the job system, the version catalog and the trainer's configuration.</summary>
internal static class TrainerServiceExtensions
{
    public static void AddTrainerServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrainerOptions>()
            .Bind(builder.Configuration.GetSection(TrainerOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new ModelRepository(
            sp.GetRequiredService<IOptions<TrainerOptions>>().Value.RepositoryPath, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new JobStore(
            sp.GetRequiredService<IOptions<TrainerOptions>>().Value.ResolvedJobsPath, sp.GetRequiredService<ILogger<JobStore>>()));
        builder.Services.AddSingleton<DatasetResolver>();
        builder.Services.AddSingleton<JobRequestValidator>();
        builder.Services.AddSingleton<TrainingJobManager>();
        builder.Services.AddSingleton<ModelVersionCatalog>();
        builder.Services.AddSingleton<BearerTokenAuthenticator>();
        builder.Services.AddHostedService<TrainingJobRunner>();
    }
}
