using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Recommender.Contracts.V1;

namespace Recommender.Client;

/// <summary>Registers <see cref="IRecommenderClient"/> and <see cref="ITrainerClient"/> on the gRPC client factory.</summary>
public static class RecommenderClientServiceCollectionExtensions
{
    /// <summary>Client-factory names; resolve the generated clients with these from <see cref="GrpcClientFactory"/> for calls this library doesn't wrap.</summary>
    public const string InferenceClientName = "Recommender.Client.Inference";

    public const string TrainerClientName = "Recommender.Client.Trainer";

    /// <summary>Binds <see cref="RecommenderClientOptions"/> to <paramref name="configuration"/> (e.g. the "RecommenderClient" section).</summary>
    public static IServiceCollection AddRecommenderClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RecommenderClientOptions>().Bind(configuration);
        return services.AddRecommenderClientCore();
    }

    public static IServiceCollection AddRecommenderClient(this IServiceCollection services, Action<RecommenderClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RecommenderClientOptions>().Configure(configure);
        return services.AddRecommenderClientCore();
    }

    private static IServiceCollection AddRecommenderClientCore(this IServiceCollection services)
    {
        // A second call only adds its configuration: the clients, interceptors and validator exist once.
        if (services.Any(d => d.ServiceType == typeof(Marker)))
        {
            return services;
        }

        services.AddSingleton<Marker>();
        services.AddOptions<RecommenderClientOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RecommenderClientOptions>, RecommenderClientOptionsValidator>());

        var applicationsOwn = services.Where(IsGeneratedClient).ToList();
        services.AddGrpcClient<InferenceService.InferenceServiceClient>(InferenceClientName, (sp, o) =>
                o.Address = ChannelSettings.ChannelAddress(Address(Options(sp)), Options(sp).EnableClientSideLoadBalancing))
            .ConfigureChannel((sp, channel) =>
            {
                var options = Options(sp);
                ChannelSettings.Configure(channel, sp, options, Address(options), ChannelSettings.InferenceServiceConfig(options),
                    allowInsecureCallCredentials: false);
            })
            .ConfigurePrimaryHttpMessageHandler(ChannelSettings.CreateHandler)
            .AddInterceptor(InterceptorScope.Channel, DeadlineInterceptor);

        services.AddGrpcClient<TrainerService.TrainerServiceClient>(TrainerClientName, (sp, o) =>
                o.Address = ChannelSettings.ChannelAddress(TrainerAddress(Options(sp)), Options(sp).EnableClientSideLoadBalancing))
            .ConfigureChannel((sp, channel) =>
            {
                var options = Options(sp);
                ChannelSettings.Configure(channel, sp, options, TrainerAddress(options), ChannelSettings.TrainerServiceConfig(options),
                    allowInsecureCallCredentials: options.AllowTokenOverInsecureChannel);
            })
            .ConfigurePrimaryHttpMessageHandler(ChannelSettings.CreateHandler)
            .AddInterceptor(InterceptorScope.Channel, DeadlineInterceptor);

        // AddGrpcClient also registers the generated client types themselves, and the last registration
        // wins: left in, an application that registered its own InferenceServiceClient (say, for another
        // address) would silently get ours. The wrappers resolve ours by name, so these go.
        foreach (var descriptor in services.Where(d => IsGeneratedClient(d) && !applicationsOwn.Contains(d)).ToList())
        {
            services.Remove(descriptor);
        }

        services.TryAddTransient<IRecommenderClient>(sp => new RecommenderClient(
            sp.GetRequiredService<GrpcClientFactory>().CreateClient<InferenceService.InferenceServiceClient>(InferenceClientName),
            sp.GetService<TimeProvider>()));
        services.TryAddTransient<ITrainerClient>(sp => new TrainerClient(
            sp.GetRequiredService<GrpcClientFactory>().CreateClient<TrainerService.TrainerServiceClient>(TrainerClientName),
            sp.GetRequiredService<IOptionsMonitor<RecommenderClientOptions>>()));
        return services;
    }

    private static bool IsGeneratedClient(ServiceDescriptor descriptor) =>
        descriptor.ServiceType == typeof(InferenceService.InferenceServiceClient) || descriptor.ServiceType == typeof(TrainerService.TrainerServiceClient);

    /// <summary>Reading the options here runs the validator, so a bad configuration fails before any call.</summary>
    private static RecommenderClientOptions Options(IServiceProvider services) =>
        services.GetRequiredService<IOptions<RecommenderClientOptions>>().Value;

    private static Uri Address(RecommenderClientOptions options) =>
        options.Address ?? throw new InvalidOperationException($"{RecommenderClientOptions.Section}:{nameof(options.Address)} is not configured.");

    private static Uri TrainerAddress(RecommenderClientOptions options) =>
        options.TrainerAddress ?? throw new InvalidOperationException(
            $"{RecommenderClientOptions.Section}:{nameof(options.TrainerAddress)} is not configured; the trainer client needs it.");

    private static DefaultDeadlineInterceptor DeadlineInterceptor(IServiceProvider services)
    {
        var monitor = services.GetRequiredService<IOptionsMonitor<RecommenderClientOptions>>();
        return new DefaultDeadlineInterceptor(() => monitor.CurrentValue.DefaultDeadline, services.GetService<TimeProvider>() ?? TimeProvider.System);
    }

    private sealed class Marker;
}
