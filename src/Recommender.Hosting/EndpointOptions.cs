using System.ComponentModel.DataAnnotations;

namespace Recommender.Hosting;

/// <summary>
/// Where a service listens (configuration section "Endpoints"; environment variables
/// Endpoints__GrpcPort etc.). Port 0 picks a free port (tests).
/// </summary>
public sealed class EndpointOptions
{
    public const string Section = "Endpoints";

    /// <summary>Address to bind; 0.0.0.0 in a container, 127.0.0.1 for local runs and tests.</summary>
    [Required]
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>The gRPC port: HTTP/2 only, so plaintext (h2c) prior-knowledge clients such as grpcurl work.</summary>
    [Range(0, 65535)]
    public int GrpcPort { get; set; } = 50051;

    /// <summary>The Prometheus /metrics port (HTTP/1.1).</summary>
    [Range(0, 65535)]
    public int MetricsPort { get; set; } = 9090;

    /// <summary>When set, the gRPC port serves TLS with this PKCS#12 (.pfx) certificate instead of h2c.</summary>
    public string? TlsCertificatePath { get; set; }

    public string? TlsCertificatePassword { get; set; }

    /// <summary>Largest request message; raised above gRPC's 4 MB default so large prediction batches fit.</summary>
    [Range(1024, 1024 * 1024 * 1024)]
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024 * 1024;

    [Range(1024, 1024 * 1024 * 1024)]
    public int MaxSendMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// After SIGTERM the service reports NOT_SERVING and keeps answering this long, so that load
    /// balancers and Kubernetes endpoints stop sending before the listener closes.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long in-flight calls may run after the drain delay before the process stops.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When set, the bound ports are written here as JSON (<c>{"grpcPort":N,"metricsPort":M}</c>)
    /// once the host has started. With port 0, this is how a supervisor or a test that started
    /// the service as a separate process learns where it listens.
    /// </summary>
    public string? PortsFile { get; set; }
}
