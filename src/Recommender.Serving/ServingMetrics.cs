using System.Diagnostics.Metrics;

namespace Recommender.Serving;

/// <summary>
/// Serving instruments on System.Diagnostics.Metrics; the host exports them to Prometheus with
/// the meter name as prefix (recommender_serving_batch_pairs, ...).
/// Kept in the domain so the numbers come from where the work happens.
/// </summary>
public sealed class ServingMetrics : IDisposable
{
    public const string MeterName = "Recommender.Serving";

    private readonly Meter _meter;

    public ServingMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        BatchPairs = _meter.CreateHistogram<int>("batch_pairs", "pairs", "Pairs per scorer run.");
        BatchRequests = _meter.CreateHistogram<int>("batch_requests", "requests", "Requests coalesced per scorer run.");
        QueueSeconds = _meter.CreateHistogram<double>("queue_seconds", "s", "Time a request waited for a scorer run.");
        ModelLoads = _meter.CreateCounter<long>("model_loads_total", "loads", "Model version loads by outcome.");
        ModelRollbacks = _meter.CreateCounter<long>("model_rollbacks_total", "rollbacks",
            "Served versions deleted from the repository and replaced by an older one, by model.");
        PublishToServing = _meter.CreateHistogram<double>("model_publish_to_serving_seconds", "s",
            "From a version's commit (manifest createdAt) to its first request-ready moment, for versions published while the server runs.");
    }

    public Histogram<int> BatchPairs { get; }

    public Histogram<int> BatchRequests { get; }

    public Histogram<double> QueueSeconds { get; }

    public Counter<long> ModelLoads { get; }

    public Counter<long> ModelRollbacks { get; }

    public Histogram<double> PublishToServing { get; }

    /// <summary>Observes loaded versions and providers through a callback the registry supplies.</summary>
    public void ObserveLoadedModels(Func<IEnumerable<Measurement<long>>> observe) =>
        _meter.CreateObservableGauge("model_loaded_version", observe, "version",
            "Version being served, labelled by model name and execution provider.");

    /// <summary>
    /// Observes, per served version, its artifact size (the manifest's files) and the resident
    /// memory the process grew by while loading it: the memory a version costs, against what it
    /// weighs on disk.
    /// </summary>
    public void ObserveModelMemory(Func<IEnumerable<Measurement<long>>> artifactBytes, Func<IEnumerable<Measurement<long>>> loadResidentBytes)
    {
        _meter.CreateObservableGauge("model_artifact_bytes", artifactBytes, "By",
            "Bytes of a served version's files, labelled by model name and version.");
        _meter.CreateObservableGauge("model_load_resident_bytes", loadResidentBytes, "By",
            "Resident memory the process grew by while loading a served version, labelled by model name and version.");
    }

    public void Dispose() => _meter.Dispose();
}
