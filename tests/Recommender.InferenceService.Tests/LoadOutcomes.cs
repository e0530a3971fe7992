using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Serving;

namespace Recommender.InferenceService.Tests;

/// <summary>
/// One server's model-load counter (recommender_serving_model_loads_total) as it is incremented.
/// The host's IMeterFactory scopes its meters, so loads of other servers in this test process do
/// not count. Counts from the moment it is created.
/// </summary>
internal sealed class LoadOutcomes : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly TaskCompletionSource _refused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _loaded;

    public LoadOutcomes(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Meter.Name == ServingMetrics.MeterName && instrument.Name == "model_loads_total")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome" && Equals(tag.Value, "refused"))
                {
                    _refused.TrySetResult();
                }
                else if (tag.Key == "outcome" && Equals(tag.Value, "loaded"))
                {
                    Interlocked.Increment(ref _loaded);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Completes at the first refusal.</summary>
    public Task Refused => _refused.Task;

    public int Loaded => Volatile.Read(ref _loaded);

    public void Dispose() => _listener.Dispose();
}
