using System.Globalization;
using Recommender.Models.Artifacts;
using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// One loaded, validated model version with everything needed to answer requests: id maps,
/// catalog, seen-items index, and per kind present in the version its pair scorer and ranker.
/// Reference-counted: the registry holds one reference, each in-flight request another, so a
/// replaced version is disposed only after its last request finishes.
/// </summary>
public sealed class ServableModel
{
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<ServedKind, ServedKindModel> _kinds;
    private int _references = 1;

    internal ServableModel(ModelVersionBundle bundle, ItemCatalog catalog, SeenItems seen, IReadOnlyList<ServedKindModel> kinds, ServedKind? preferredRanker)
    {
        Bundle = bundle;
        Catalog = catalog;
        Seen = seen;
        _kinds = kinds.ToDictionary(k => k.Kind);
        Kinds = [.. kinds.Select(k => k.Kind).Order()];
        PreferredRanker = preferredRanker;
        MinRating = Number(bundle.Manifest.HyperParameters, ManifestKeys.MinRating, 1f);
        MaxRating = Number(bundle.Manifest.HyperParameters, ManifestKeys.MaxRating, 5f);
        FallbackRating = bundle.Manifest.Metrics.TryGetValue(ManifestKeys.TrainingMeanRating, out var mean)
            ? (float)mean
            : (MinRating + MaxRating) / 2;
        ExecutionProvider = kinds.Select(k => k.ExecutionProvider).FirstOrDefault(p => p is not null && p != OnnxSessionFactory.CpuProvider)
            ?? OnnxSessionFactory.CpuProvider;
    }

    public ModelVersionBundle Bundle { get; }

    public string Name => Bundle.ModelName;

    public long Version => Bundle.Version;

    public IdMaps Ids => Bundle.IdMaps;

    public ItemCatalog Catalog { get; }

    public SeenItems Seen { get; }

    /// <summary>The kinds this version serves, in enum order.</summary>
    public IReadOnlyList<ServedKind> Kinds { get; }

    /// <summary>The kind Recommend uses when a request names none (an implicit-feedback model), or null.</summary>
    public ServedKind? PreferredRanker { get; }

    /// <summary>The kind PredictRatings uses when a request names none (a blend), or null for the configured default.</summary>
    public ServedKind? PreferredRater { get; init; }

    /// <summary>The provider ONNX Runtime really runs on (CUDA when any kind runs there).</summary>
    public string ExecutionProvider { get; }

    /// <summary>Bytes of the version's files as its manifest lists them.</summary>
    public long ArtifactBytes => Bundle.Manifest.Files.Sum(f => f.Size);

    /// <summary>
    /// Resident memory the process grew by while this version loaded (files read, sessions
    /// created, smoke tests run): what serving it costs, to compare with <see cref="ArtifactBytes"/>.
    /// </summary>
    public long LoadResidentBytes { get; internal init; }

    public float MinRating { get; }

    public float MaxRating { get; }

    /// <summary>Completes when the last reference is gone and the sessions are disposed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>What a pair with an unknown id gets under the fallback policy: the training mean.</summary>
    public float FallbackRating { get; }

    public bool Has(ServedKind kind) => _kinds.ContainsKey(kind);

    /// <summary>The kind's strategies, or null when the version has no model of that kind.</summary>
    public ServedKindModel? Kind(ServedKind kind) => _kinds.GetValueOrDefault(kind);

    /// <summary>Takes a reference for one request; false once the model has been fully released.</summary>
    internal bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Drops one reference; the last one disposes the sessions.</summary>
    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _ = CloseAsync();
        }
    }

    private static float Number(IReadOnlyDictionary<string, string> values, string key, float fallback) =>
        values.TryGetValue(key, out var text) && float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : fallback;

    private async Task CloseAsync()
    {
        try
        {
            foreach (var kind in _kinds.Values)
            {
                await kind.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _closed.TrySetResult();
        }
    }
}
