using Microsoft.Extensions.DependencyInjection;

namespace Recommender.Client.Tests.Infrastructure;

internal static class ClientServices
{
    /// <summary>A container with only the client registered, as an application would have it.</summary>
    public static ServiceProvider Build(Action<RecommenderClientOptions> configure, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        services.AddRecommenderClient(configure);
        more?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
