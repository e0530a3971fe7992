using System.ComponentModel.DataAnnotations;

namespace Recommender.Jobs;

/// <summary>
/// The job system's configuration. The trainer host binds it to its section "Trainer" (environment
/// variables Trainer__RepositoryPath, Trainer__DataRoot, Trainer__QueueCapacity, ...), next to its
/// own settings (authentication), and validates it at start. The Max* bounds exist so that one
/// request cannot exhaust memory or run for days.
/// </summary>
public sealed class JobOptions : IValidatableObject
{
    /// <summary>The model repository the trainer publishes into: &lt;root&gt;/&lt;name&gt;/&lt;version&gt;/.</summary>
    [Required]
    public string RepositoryPath { get; set; } = "";

    /// <summary>Dataset folders named by requests must lie under this folder; MovieLens downloads are cached in its "movielens" sub-folder.</summary>
    [Required]
    public string DataRoot { get; set; } = "";

    /// <summary>Where job records are kept; default &lt;RepositoryPath&gt;/.jobs (a dot-folder, which the repository's listing ignores).</summary>
    public string? JobsPath { get; set; }

    /// <summary>Jobs that may wait behind the running one; one more answers RESOURCE_EXHAUSTED.</summary>
    [Range(1, 10_000)]
    public int QueueCapacity { get; set; } = 8;

    /// <summary>Where MovieLens zips are fetched from (a mirror inside a cluster without internet).</summary>
    public Uri? MovieLensBaseUri { get; set; }

    // Compared as doubles: an int range would overflow on a long above int.MaxValue instead of failing validation.
    [Range(1d, int.MaxValue)]
    public long MaxSyntheticRatings { get; set; } = 30_000_000;

    [Range(1, int.MaxValue)]
    public int MaxSyntheticUsers { get; set; } = 1_000_000;

    [Range(1, int.MaxValue)]
    public int MaxSyntheticItems { get; set; } = 1_000_000;

    [Range(1, Training.Mf.MfTrainingOptions.MaxFactors)]
    public int MaxFactors { get; set; } = 1024;

    [Range(1, 100_000)]
    public int MaxEpochs { get; set; } = 1000;

    [Range(1, 65_536)]
    public int MaxEmbeddingDim { get; set; } = 1024;

    [Range(1, 65_536)]
    public int MaxHiddenSize { get; set; } = 4096;

    [Range(1, 64)]
    public int MaxHiddenLayers { get; set; } = 8;

    [Range(1, 1 << 24)]
    public int MaxBatchSize { get; set; } = 1 << 20;

    /// <summary>
    /// The most memory a job's models may need while training (<see cref="ModelMemoryEstimate"/>):
    /// bounds that each hold can still multiply to more than the trainer has. Checked at submission
    /// when the request gives the dataset's size (synthetic), otherwise once the dataset is loaded.
    /// </summary>
    [Range(1d, long.MaxValue)]
    public long MaxModelBytes { get; set; } = 4L << 30;

    /// <summary>A running job is stopped (FAILED, nothing published) after this long.</summary>
    public TimeSpan MaxJobDuration { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Job records kept (in memory and in JobsPath); beyond it the oldest finished ones are deleted,
    /// so a long-lived trainer's records do not grow without end. Queued and running jobs are never removed.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxRetainedJobs { get; set; } = 1000;

    /// <summary>ListTrainingJobs page size when the request gives none, and the largest it accepts.</summary>
    [Range(1, 100_000)]
    public int DefaultListLimit { get; set; } = 100;

    /// <summary>The jobs folder actually used.</summary>
    public string ResolvedJobsPath => string.IsNullOrEmpty(JobsPath) ? Path.Combine(RepositoryPath, ".jobs") : JobsPath;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxJobDuration <= TimeSpan.Zero)
        {
            yield return new ValidationResult("MaxJobDuration must be positive.", [nameof(MaxJobDuration)]);
        }
    }
}
