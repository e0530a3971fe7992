using System.ComponentModel.DataAnnotations;

namespace Recommender.InferenceService.Pull;

/// <summary>
/// Pulling new versions from a trainer over gRPC, for clusters without a shared volume
/// (section "Inference:Pull"; environment Inference__Pull__TrainerAddress, Inference__Pull__Interval).
/// </summary>
public sealed class PullOptions
{
    public const string Section = "Inference:Pull";

    /// <summary>The trainer's gRPC address, e.g. http://trainer:50051; empty disables pulling.</summary>
    public string? TrainerAddress { get; set; }

    /// <summary>How often the trainer is asked for newer versions.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Deadline of one version's download.</summary>
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(30);

    [Range(1024, 1024 * 1024 * 1024)]
    public int MaxReceiveMessageBytes { get; set; } = 16 * 1024 * 1024;

    public bool Enabled => !string.IsNullOrWhiteSpace(TrainerAddress);
}
