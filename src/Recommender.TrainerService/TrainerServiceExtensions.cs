using Microsoft.Extensions.Options;
using Recommender.Hosting;
using Recommender.Jobs;
using Recommender.Models.Repository;

namespace Recommender.TrainerService;

/// <summary>Wires the job system (Recommender.Jobs), the one model repository and the trainer's configuration.</summary>
internal static class TrainerServiceExtensions
{
    public static void AddTrainerServices(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(TrainerOptions.Section);
        builder.Services.AddOptions<TrainerOptions>()
            .Bind(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // One section for the operator: the job system's settings sit beside the host's own.
        builder.Services.AddOptions<JobOptions>()
            .Bind(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new ModelRepository(
            sp.GetRequiredService<IOptions<JobOptions>>().Value.RepositoryPath, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddTrainingJobs();
        builder.Services.AddSingleton<BearerTokenAuthenticator>();
        builder.Services.AddSingleton<IExceptionStatusMap, TrainerErrorMap>();
    }
}
