using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Recommender.Client;

/// <summary>
/// The clients without an application container (command-line tools, scripts, the demo): the same
/// registration as <see cref="RecommenderClientServiceCollectionExtensions.AddRecommenderClient(IServiceCollection, Action{RecommenderClientOptions})"/>
/// in a private container that owns the channels. Create one and keep it: channels are expensive to
/// build and cheap to share. Disposing closes the connections.
/// </summary>
public sealed class RecommenderConnection : IDisposable, IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private RecommenderConnection(ServiceProvider services) => _services = services;

    /// <summary>The inference client.</summary>
    public IRecommenderClient Inference => _services.GetRequiredService<IRecommenderClient>();

    /// <summary>The trainer client; throws when <see cref="RecommenderClientOptions.TrainerAddress"/> is not set.</summary>
    public ITrainerClient Trainer => _services.GetRequiredService<ITrainerClient>();

    /// <summary>Validates the options now (throwing <see cref="OptionsValidationException"/>), as a host would at start.</summary>
    public static RecommenderConnection Create(Action<RecommenderClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var services = new ServiceCollection();
        services.AddRecommenderClient(configure);
        var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<RecommenderClientOptions>>().Value;
            return new RecommenderConnection(provider);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    public void Dispose() => _services.Dispose();

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
