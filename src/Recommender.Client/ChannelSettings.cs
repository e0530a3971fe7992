using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Recommender.Contracts.V1;

namespace Recommender.Client;

/// <summary>
/// Turns <see cref="RecommenderClientOptions"/> into gRPC channel settings: credentials, the service
/// config (retry policies per method, round-robin), DNS re-resolution and message limits.
/// </summary>
internal static class ChannelSettings
{
    /// <summary>
    /// The trainer's methods that are safe to repeat: reads. StartTraining would queue a second job
    /// when the first attempt reached the server but its answer was lost; CancelTraining is a write too.
    /// Streaming reads are retried only until the first response arrives (gRPC commits the call then).
    /// </summary>
    internal static readonly IReadOnlyList<string> TrainerIdempotentMethods =
        ["WatchTraining", "GetTrainingJob", "ListTrainingJobs", "ListModelVersions", "DownloadModelVersion"];

    /// <summary>The trainer's methods that change state: never retried, and the only ones that carry the token.</summary>
    internal static readonly IReadOnlyList<string> TrainerMutatingMethods = ["StartTraining", "CancelTraining"];

    public static bool IsSecure(Uri address, bool? useTls) => address.Scheme switch
    {
        "https" => true,
        "http" => false,
        _ => useTls ?? false,
    };

    /// <summary>host:port of a dns:///host:port address (an authority, naming a DNS server, is not supported by grpc-dotnet and is ignored).</summary>
    public static string DnsTarget(Uri dnsAddress) => dnsAddress.AbsolutePath.TrimStart('/');

    /// <summary>
    /// The address the channel is created with: with load balancing on, http(s)://host:port becomes
    /// dns:///host:port, because the static resolver of http(s) addresses yields one address only.
    /// </summary>
    public static Uri ChannelAddress(Uri address, bool loadBalance) =>
        loadBalance && address.Scheme is "http" or "https"
            ? new Uri($"dns:///{address.Host}:{address.Port}")
            : address;

    public static void Configure(GrpcChannelOptions channel, IServiceProvider services, RecommenderClientOptions options,
        Uri address, ServiceConfig serviceConfig, bool allowInsecureCallCredentials)
    {
        var channelAddress = ChannelAddress(address, options.EnableClientSideLoadBalancing);
        if (channelAddress.Scheme == "dns")
        {
            // A dns: address doesn't say whether to use TLS; the channel refuses to guess.
            channel.Credentials = IsSecure(address, options.UseTls) ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;

            // The built-in "dns" resolver never re-resolves on a timer; ours does, so scaled-out pods get
            // calls. Scoped to this channel instead of registered in the application's container, where it
            // would change every other gRPC client of the application too.
            channel.ServiceProvider = new DnsResolverServiceProvider(channel.ServiceProvider ?? services,
                new DnsResolverFactory(options.DnsRefreshInterval));
        }

        channel.ServiceConfig = serviceConfig;
        channel.MaxRetryAttempts = options.Retry.MaxAttempts;
        channel.MaxReceiveMessageSize = options.MaxReceiveMessageBytes;
        channel.UnsafeUseInsecureChannelCallCredentials = allowInsecureCallCredentials;
    }

    public static ServiceConfig InferenceServiceConfig(RecommenderClientOptions options)
    {
        // Every InferenceService method is a read: the whole service is retried.
        var names = new[] { new MethodName { Service = InferenceService.Descriptor.FullName } };
        return Build(options, names);
    }

    public static ServiceConfig TrainerServiceConfig(RecommenderClientOptions options)
    {
        var names = TrainerIdempotentMethods.Select(m => new MethodName { Service = TrainerService.Descriptor.FullName, Method = m });
        return Build(options, names);
    }

    public static RetryPolicy? RetryPolicy(RecommenderRetryOptions retry)
    {
        if (retry.MaxAttempts <= 1)
        {
            return null; // gRPC rejects a policy of one attempt; no policy means no retries.
        }

        var policy = new RetryPolicy
        {
            MaxAttempts = retry.MaxAttempts,
            InitialBackoff = retry.InitialBackoff,
            MaxBackoff = retry.MaxBackoff,
            BackoffMultiplier = retry.BackoffMultiplier,
            // UNAVAILABLE: the server was not reached or is shutting down (a draining pod, a reset
            // connection), so the request had no effect and another attempt (on another pod) may succeed.
            RetryableStatusCodes = { StatusCode.Unavailable },
        };
        if (retry.RetryResourceExhausted)
        {
            policy.RetryableStatusCodes.Add(StatusCode.ResourceExhausted);
        }

        return policy;
    }

    private static ServiceConfig Build(RecommenderClientOptions options, IEnumerable<MethodName> idempotent)
    {
        var config = new ServiceConfig();
        if (RetryPolicy(options.Retry) is { } policy)
        {
            var method = new MethodConfig { RetryPolicy = policy };
            foreach (var name in idempotent)
            {
                method.Names.Add(name);
            }

            config.MethodConfigs.Add(method);
        }

        if (options.EnableClientSideLoadBalancing)
        {
            config.LoadBalancingConfigs.Add(new RoundRobinConfig());
        }

        return config;
    }

    /// <summary>The HTTP/2 handler: keep-alive pings find dead pods behind idle connections; extra connections past 100 streams.</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        EnableMultipleHttp2Connections = true,
    };

    /// <summary>Answers the channel's request for resolver factories with ours; everything else comes from the application.</summary>
    private sealed class DnsResolverServiceProvider(IServiceProvider inner, ResolverFactory dns) : IServiceProvider
    {
        public object? GetService(Type serviceType) =>
            serviceType == typeof(IEnumerable<ResolverFactory>) ? new[] { dns } : inner.GetService(serviceType);
    }
}
