namespace Recommender.Hosting;

/// <summary>Whether the process is draining; read by the health check, set on shutdown.</summary>
public sealed class ServiceLifecycle
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public void BeginDraining() => _draining = true;
}
