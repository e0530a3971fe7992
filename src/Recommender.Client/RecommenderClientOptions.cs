namespace Recommender.Client;

/// <summary>
/// How the client reaches the recommender (configuration section "RecommenderClient"). Validated at
/// start-up by <see cref="RecommenderClientOptionsValidator"/>, so a typo fails the host's start
/// rather than the first request.
/// </summary>
public sealed class RecommenderClientOptions
{
    public const string Section = "RecommenderClient";

    /// <summary>
    /// The inference service: <c>http://host:50051</c> (plaintext HTTP/2, h2c), <c>https://host:50051</c>
    /// (TLS) or <c>dns:///recommender-inference-headless.recommender.svc.cluster.local:50051</c>
    /// (every address the name resolves to; use with <see cref="EnableClientSideLoadBalancing"/>).
    /// Required unless the application only calls the trainer (<see cref="TrainerAddress"/> alone).
    /// </summary>
    public Uri? Address { get; set; }

    /// <summary>The trainer service, same address forms; only needed for <see cref="ITrainerClient"/>.</summary>
    public Uri? TrainerAddress { get; set; }

    /// <summary>
    /// Deadline for unary calls whose caller gives none. gRPC has no deadline by default, so a
    /// stuck server would hold the caller forever. It covers all retry attempts of the call.
    /// Streaming calls (watching a job, downloading a version) get none: they last as long as the job.
    /// </summary>
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Retries of idempotent calls (every inference call; the trainer's reads).</summary>
    public RecommenderRetryOptions Retry { get; set; } = new();

    /// <summary>
    /// Round-robin over every address of a DNS name (the Kubernetes headless Service), re-resolved every
    /// <see cref="DnsRefreshInterval"/>. gRPC keeps one long-lived HTTP/2 connection, so a ClusterIP
    /// Service balances connections, not calls: one pod would get all of one client's calls.
    /// An <c>http://</c> or <c>https://</c> address is then resolved by DNS too (as <c>dns:///host:port</c>).
    /// </summary>
    public bool EnableClientSideLoadBalancing { get; set; }

    /// <summary>
    /// How often a <c>dns:///</c> address is re-resolved, so that new pods receive calls (a failed connection
    /// also triggers a resolve). grpc-dotnet resolves a name at most once per 15 s, so shorter intervals act as 15 s.
    /// </summary>
    public TimeSpan DnsRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// TLS for <c>dns:///</c> addresses, whose scheme can't say. Unset: plaintext h2c (in-cluster traffic).
    /// For <c>http</c>/<c>https</c> addresses the scheme decides and a contradicting value is an error.
    /// </summary>
    public bool? UseTls { get; set; }

    /// <summary>
    /// Bearer token sent (as <c>authorization: Bearer …</c>) on the trainer's mutating calls
    /// (StartTraining, CancelTraining) and on DownloadModelVersion; the other reads don't need it. Read at each call, so a reloaded
    /// configuration (a rotated Kubernetes Secret) takes effect without a restart.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>
    /// Sending the token over plaintext lets anyone on the path read it; allowed only when set (in-cluster
    /// h2c behind a NetworkPolicy or a mesh that encrypts, local development).
    /// </summary>
    public bool AllowTokenOverInsecureChannel { get; set; }

    /// <summary>Largest response accepted; matches the server's 64 MB limit rather than gRPC's 4 MB default, so large batches fit.</summary>
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024 * 1024;
}

/// <summary>
/// Retry policy applied through the gRPC service config (so the channel retries before the call is
/// committed, replays buffered requests, and counts attempts against the call's deadline).
/// </summary>
public sealed class RecommenderRetryOptions
{
    /// <summary>Attempts in all, the first one included; 1 disables retries. At most 5 (gRPC's cap).</summary>
    public int MaxAttempts { get; set; } = 3;

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public double BackoffMultiplier { get; set; } = 2;

    /// <summary>
    /// Retry RESOURCE_EXHAUSTED too. Off by default: this server answers it for requests over its limits
    /// (batch size, top-N), which fail the same way every time; turn it on only behind a proxy that
    /// sheds load with it.
    /// </summary>
    public bool RetryResourceExhausted { get; set; }
}
