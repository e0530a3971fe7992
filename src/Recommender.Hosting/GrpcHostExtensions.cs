using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
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

    /// <summary>Adds the shared hosting services. Call the service's own registrations after this.</summary>
    public static EndpointOptions AddRecommenderGrpcHost(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<EndpointOptions>()
            .Bind(builder.Configuration.GetSection(EndpointOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var endpoints = builder.Configuration.GetSection(EndpointOptions.Section).Get<EndpointOptions>() ?? new EndpointOptions();

        ConfigureLogging(builder);
        ConfigureKestrel(builder, endpoints);

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = endpoints.ShutdownTimeout);
        builder.Services.AddSingleton<ServiceLifecycle>();
        builder.Services.AddSingleton<GrpcMetricsInterceptor>();
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = endpoints.MaxReceiveMessageBytes;
            o.MaxSendMessageSize = endpoints.MaxSendMessageBytes;
            o.Interceptors.Add<GrpcMetricsInterceptor>();
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(o => o.Services.Map("", r => r.Tags.Contains(ReadinessTag)))
            .AddCheck<DrainingHealthCheck>("draining", tags: [ReadinessTag]);
        return endpoints;
    }

    /// <summary>Maps health, reflection and /metrics, and starts draining on shutdown.</summary>
    public static void MapRecommenderGrpcHost(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        // The gRPC port is HTTP/2-only; Prometheus scrapes /metrics over HTTP/1.1 on the metrics port.
        app.MapMetrics("/metrics");

        var lifecycle = app.Services.GetRequiredService<ServiceLifecycle>();
        var options = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(() =>
        {
            // Report NOT_SERVING, keep serving for the drain delay, then let Kestrel stop
            // (which waits for in-flight calls up to the shutdown timeout).
            lifecycle.BeginDraining();
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

    private static void ConfigureKestrel(WebApplicationBuilder builder, EndpointOptions endpoints)
    {
        var address = IPAddress.Parse(endpoints.BindAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
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
        });
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
