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
            // Checked here too so that a wrong setting stops the start, not the pull loop later.
            .Validate(o => string.IsNullOrEmpty(o.Token) || o.AllowTokenOverInsecureChannel || !o.Enabled
                    || o.TrainerAddress!.StartsWith("https://", StringComparison.OrdinalIgnoreCase),
                "Inference:Pull:Token would be sent in plaintext: use an https TrainerAddress, or set Inference:Pull:AllowTokenOverInsecureChannel where the network is trusted.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<ModelVersionPuller>();
    }
}
