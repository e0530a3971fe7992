using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Recommender.InferenceService.Pull;

internal static class PullServiceExtensions
{
    /// <summary>Registers <see cref="ModelVersionPuller"/> (idle unless Inference:Pull:TrainerAddress is set).</summary>
    public static void AddModelVersionPuller(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PullOptions>()
            .Bind(builder.Configuration.GetSection(PullOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => !o.Enabled || Uri.TryCreate(o.TrainerAddress, UriKind.Absolute, out _),
                "Inference:Pull:TrainerAddress must be an absolute URI such as http://trainer:50051.")
            .Validate(o => o.Interval > TimeSpan.Zero, "Inference:Pull:Interval must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<ModelVersionPuller>();
    }
}
