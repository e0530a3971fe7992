using System.Threading.Channels;

namespace Recommender.Hosting;

/// <summary>
/// Where anything whose change moves a health check (a model loaded, draining begun) says so, so
/// that health Watch streams hear of it at once rather than on the health publisher's period.
/// </summary>
public sealed class HealthChanges
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for health to be evaluated and pushed now (cheap; repeated signals coalesce).</summary>
    public void Signal() => _signals.Writer.TryWrite(true);

    internal ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _signals.Reader.ReadAsync(cancellationToken);
}
