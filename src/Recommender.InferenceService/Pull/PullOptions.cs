using System.ComponentModel.DataAnnotations;

namespace Recommender.InferenceService.Pull;

/// <summary>
/// Pulling new versions from a trainer over gRPC, for clusters without a shared volume
/// (section "Inference:Pull"; environment Inference__Pull__TrainerAddress, Inference__Pull__Interval,
/// Inference__Pull__Token).
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

    /// <summary>The trainer's bearer token (Trainer:AuthToken): downloading a version's files requires it.</summary>
    public string? Token { get; set; }

    /// <summary>Sends the token over a plaintext (h2c) address: only where the network is trusted (in-cluster, behind a NetworkPolicy).</summary>
    public bool AllowTokenOverInsecureChannel { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(TrainerAddress);
}
