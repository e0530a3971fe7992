using System.ComponentModel.DataAnnotations;

namespace Recommender.TrainerService;

/// <summary>
/// The trainer host's own settings (section "Trainer"; Trainer__AuthToken,
/// Trainer__RequireAuthentication), validated at start. The same section also configures the job
/// system (<see cref="Jobs.JobOptions"/>: Trainer__RepositoryPath, Trainer__DataRoot, ...), so an
/// operator sees one section; each class binds the keys it has.
/// </summary>
public sealed class TrainerOptions : IValidatableObject
{
    public const string Section = "Trainer";

    /// <summary>The bearer token StartTraining, CancelTraining and DownloadModelVersion require (a Kubernetes Secret in the manifests).</summary>
    public string? AuthToken { get; set; }

    /// <summary>False turns the token check off: for local development only.</summary>
    public bool RequireAuthentication { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RequireAuthentication && string.IsNullOrEmpty(AuthToken))
        {
            yield return new ValidationResult(
                "Trainer:AuthToken is required unless Trainer:RequireAuthentication is false.", [nameof(AuthToken)]);
        }
    }
}
