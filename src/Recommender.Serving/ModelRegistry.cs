using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// The versions being served, one per model name. A new version is installed by an atomic swap
/// after it has been fully loaded and validated; the replaced version is released, and closes
/// when its in-flight requests finish. Never unload-then-load.
/// </summary>
public sealed class ModelRegistry
{
    private readonly ConcurrentDictionary<string, ServableModel> _served = new(StringComparer.Ordinal);

    public ModelRegistry(ServingMetrics? metrics = null)
    {
        metrics?.ObserveLoadedModels(() => _served.Values.Select(m => new Measurement<long>(m.Version,
            new KeyValuePair<string, object?>("model", m.Name),
            new KeyValuePair<string, object?>("provider", m.ExecutionProvider))));
        metrics?.ObserveModelMemory(
            () => _served.Values.Select(m => VersionMeasurement(m, m.ArtifactBytes)),
            () => _served.Values.Select(m => VersionMeasurement(m, m.LoadResidentBytes)));
    }

    /// <summary>Raised after a version is installed or everything is released (readiness may have changed).</summary>
    public event Action? Changed;

    public IReadOnlyCollection<string> Names => [.. _served.Keys];

    public bool IsEmpty => _served.IsEmpty;

    /// <summary>The version served under <paramref name="name"/>, or null.</summary>
    public long? ServedVersion(string name) => _served.TryGetValue(name, out var m) ? m.Version : null;

    /// <summary>Serves <paramref name="model"/> from now on; the previous version is released.</summary>
    public void Install(ServableModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ServableModel? previous = null;
        _served.AddOrUpdate(model.Name, model, (_, old) =>
        {
            previous = old;
            return model;
        });
        previous?.Release();
        Changed?.Invoke();
    }

    /// <summary>
    /// Leases the model for one request. An empty name means the only served model.
    /// </summary>
    /// <exception cref="ModelNotFoundException">No such model is served.</exception>
    /// <exception cref="ModelNotLoadedException">Nothing is loaded yet.</exception>
    public ModelLease Acquire(string? name)
    {
        // A swap can retire the version between the lookup and the acquire: retry on the new one.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var model = Find(name);
            if (model.TryAcquire())
            {
                return new ModelLease(model);
            }
        }

        throw new ModelNotLoadedException($"Model '{name}' is being replaced; try again.");
    }

    /// <summary>Leases every served model (for GetModelInfo).</summary>
    public IReadOnlyList<ModelLease> AcquireAll()
    {
        var leases = new List<ModelLease>();
        foreach (var model in _served.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (model.TryAcquire())
            {
                leases.Add(new ModelLease(model));
            }
        }

        return leases;
    }

    /// <summary>Releases every served version (shutdown).</summary>
    public void Clear()
    {
        foreach (var name in _served.Keys)
        {
            if (_served.TryRemove(name, out var model))
            {
                model.Release();
            }
        }

        Changed?.Invoke();
    }

    private static Measurement<long> VersionMeasurement(ServableModel model, long value) =>
        new(value,
            new KeyValuePair<string, object?>("model", model.Name),
            new KeyValuePair<string, object?>("version", model.Version));

    private ServableModel Find(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            var all = _served.Values.ToArray();
            return all.Length switch
            {
                1 => all[0],
                0 => throw new ModelNotLoadedException("No model is loaded yet."),
                _ => throw new ModelNotFoundException(
                    $"Several models are served ({string.Join(", ", _served.Keys.Order(StringComparer.Ordinal))}); name one in model.name."),
            };
        }

        return _served.TryGetValue(name, out var model)
            ? model
            : throw new ModelNotFoundException($"Model '{name}' is not served (served: {string.Join(", ", _served.Keys.Order(StringComparer.Ordinal))}).");
    }
}
