namespace Recommender.Serving;

/// <summary>A request's hold on a model version; dispose when the request is done.</summary>
public readonly struct ModelLease(ServableModel model) : IDisposable
{
    public ServableModel Model { get; } = model;

    public void Dispose() => Model?.Release();
}
