using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Recommender.Hosting;

/// <summary>
/// The conventions both gRPC hosts share, so that they are written once: endpoints, gRPC with
/// metrics, health (with a draining check), reflection, Prometheus, structured logs, draining.
/// </summary>
public static class GrpcHostExtensions
{
    /// <summary>Tag of the health checks that decide readiness (gRPC health service "").</summary>
    public const string ReadinessTag = "ready";

    /// <summary>
    /// gRPC health service name for liveness and startup probes: SERVING whenever the process
    /// answers. Readiness ("") also needs a model loaded and no drain in progress; using it for
    /// liveness would restart pods that merely wait for their first model.
    /// </summary>
    public const string LivenessService = "liveness";

    private const string LivenessTag = "live";

    /// <summary>
    /// Adds the shared hosting services. Endpoint settings are read when the host starts, so
    /// configuration sources added after this call (tests, the CLI) still apply.
    /// </summary>
    public static void AddRecommenderGrpcHost(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<EndpointOptions>()
            .Bind(builder.Configuration.GetSection(EndpointOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        ConfigureLogging(builder);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            ConfigureEndpoints(kestrel, context.Configuration.GetSection(EndpointOptions.Section).Get<EndpointOptions>() ?? new EndpointOptions()));

        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<EndpointOptions>>((host, endpoints) => host.ShutdownTimeout = endpoints.Value.ShutdownTimeout);
        builder.Services.AddSingleton<ServiceLifecycle>();
        builder.Services.AddSingleton<HealthChanges>();
        builder.Services.AddHostedService<HealthPushService>();
        // The one error translation; each host adds its IExceptionStatusMap.
        builder.Services.AddSingleton<DomainErrors>();
        builder.Services.AddGrpc(o =>
        {
            o.Interceptors.Add<GrpcMetricsInterceptor>();
            o.Interceptors.Add<StatusMessageCapInterceptor>();
        });
        builder.Services.AddOptions<GrpcServiceOptions>()
            .Configure<IOptions<EndpointOptions>>((grpc, endpoints) =>
            {
                grpc.MaxReceiveMessageSize = endpoints.Value.MaxReceiveMessageBytes;
                grpc.MaxSendMessageSize = endpoints.Value.MaxSendMessageBytes;
            });
        builder.Services.AddGrpcReflection();
        // .NET meters (the serving domain's) are exported too; pick buckets that fit each unit:
        // seconds from 10 µs, counts in powers of two.
        Metrics.ConfigureMeterAdapter(o => o.ResolveHistogramBuckets = instrument => instrument.Unit == "s"
            ? Histogram.ExponentialBuckets(0.00001, 2.5, 16)
            : Histogram.ExponentialBuckets(1, 2, 18));
        builder.Services.AddGrpcHealthChecks(o =>
            {
                o.Services.Map("", r => r.Tags.Contains(ReadinessTag));
                o.Services.Map(LivenessService, r => r.Tags.Contains(LivenessTag));
            })
            .AddCheck("alive", () => HealthCheckResult.Healthy("the process answers"), tags: [LivenessTag])
            .AddCheck<DrainingHealthCheck>("draining", tags: [ReadinessTag]);
    }

    /// <summary>Maps health, reflection and /metrics, and starts draining on shutdown.</summary>
    public static void MapRecommenderGrpcHost(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<UnreadableRequestMiddleware>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        // The gRPC port is HTTP/2-only; Prometheus scrapes /metrics over HTTP/1.1 on the metrics port.
        app.MapMetrics("/metrics");
        // prometheus-net starts listening to .NET meters at the first scrape, and counter increments
        // before it are lost (the first model load, an early rollback): collect once now.
        Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null).GetAwaiter().GetResult();

        var lifecycle = app.Services.GetRequiredService<ServiceLifecycle>();
        var healthChanges = app.Services.GetRequiredService<HealthChanges>();
        var options = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(() =>
        {
            // Report NOT_SERVING, keep serving for the drain delay, then let Kestrel stop
            // (which waits for in-flight calls up to the shutdown timeout).
            lifecycle.BeginDraining();
            healthChanges.Signal();
            Thread.Sleep(options.DrainDelay);
        });
        if (!string.IsNullOrEmpty(options.PortsFile))
        {
            lifetime.ApplicationStarted.Register(() => PortsFile.Write(options.PortsFile, app.BoundPorts()));
        }
    }

    /// <summary>The ports really bound (after start), in the order: gRPC, metrics.</summary>
    public static (int GrpcPort, int MetricsPort) BoundPorts(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(a => new Uri(a).Port).ToArray();
        return (addresses[0], addresses[1]);
    }

    private static void ConfigureEndpoints(KestrelServerOptions kestrel, EndpointOptions endpoints)
    {
        var address = IPAddress.Parse(endpoints.BindAddress);
        // A unary request body is one message and its 5-byte gRPC prefix. Kestrel's own default
        // (30,000,000 bytes) would otherwise be the real limit, answered as UNKNOWN; this way gRPC's
        // check of the message size answers first (RESOURCE_EXHAUSTED). Streaming calls lift it.
        kestrel.Limits.MaxRequestBodySize = endpoints.MaxReceiveMessageBytes + 5L;
        kestrel.Listen(address, endpoints.GrpcPort, listen =>
        {
            // Http2 only: with Http1AndHttp2, plaintext prior-knowledge clients (grpcurl, buf curl) fail.
            listen.Protocols = HttpProtocols.Http2;
            if (!string.IsNullOrEmpty(endpoints.TlsCertificatePath))
            {
                listen.UseHttps(endpoints.TlsCertificatePath, endpoints.TlsCertificatePassword);
            }
        });
        kestrel.Listen(address, endpoints.MetricsPort, listen => listen.Protocols = HttpProtocols.Http1);
    }

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        // Structured JSON lines by default (log collectors parse them); "simple" for humans.
        if (string.Equals(builder.Configuration["Logging:Format"], "simple", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        }
        else
        {
            builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
        }
    }
}
