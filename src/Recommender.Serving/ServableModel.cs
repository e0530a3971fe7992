using System.Globalization;
using Recommender.Models.Artifacts;
using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// One loaded, validated model version with everything needed to answer requests: id maps,
/// catalog, seen-items index, the MF scorer and the neural ONNX session.
/// Reference-counted: the registry holds one reference, each in-flight request another, so a
/// replaced version is disposed only after its last request finishes.
/// </summary>
public sealed class ServableModel
{
    private readonly OnnxSession? _neuralSession;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _references = 1;

    internal ServableModel(ModelVersionBundle bundle, ItemCatalog catalog, SeenItems seen, MfSimdScorer? mf, MfOnnxTopK? mfTopK,
        OnnxSession? neuralSession, NeuralOnnxScorer? neuralScorer, NeuralRankScorer? neuralRank, PredictionBatcher? neuralBatcher,
        string executionProvider)
    {
        NeuralRank = neuralRank;
        MfTopK = mfTopK;
        MfScorer = mf is null ? "" : mfTopK is null ? MfScorerChoice.Simd : MfScorerChoice.Onnx;
        NeuralScorer = neuralScorer;
        Bundle = bundle;
        Catalog = catalog;
        Seen = seen;
        MinRating = Number(bundle.Manifest.HyperParameters, ManifestKeys.MinRating, 1f);
        MaxRating = Number(bundle.Manifest.HyperParameters, ManifestKeys.MaxRating, 5f);
        FallbackRating = bundle.Manifest.Metrics.TryGetValue(ManifestKeys.TrainingMeanRating, out var mean)
            ? (float)mean
            : (MinRating + MaxRating) / 2;
        Mf = mf;
        _neuralSession = neuralSession;
        NeuralBatcher = neuralBatcher;
        ExecutionProvider = executionProvider;
        AllItemIndices = new long[bundle.IdMaps.Items.Count];
        for (var i = 0; i < AllItemIndices.Length; i++)
        {
            AllItemIndices[i] = i;
        }
    }

    public ModelVersionBundle Bundle { get; }

    public string Name => Bundle.ModelName;

    public long Version => Bundle.Version;

    public IdMaps Ids => Bundle.IdMaps;

    public ItemCatalog Catalog { get; }

    public SeenItems Seen { get; }

    public MfSimdScorer? Mf { get; }

    /// <summary>The MF top-k graph, set only when it measured faster than <see cref="Mf"/> on this provider.</summary>
    public MfOnnxTopK? MfTopK { get; }

    /// <summary>How MF top-N is computed: "simd" or "onnx" (empty without MF).</summary>
    public string MfScorer { get; }

    /// <summary>The neural ranking graph (one user against the catalog), when the version has one.</summary>
    public NeuralRankScorer? NeuralRank { get; }

    /// <summary>The neural graph's scorer, unbatched (offline evaluation).</summary>
    public NeuralOnnxScorer? NeuralScorer { get; }

    /// <summary>Scores neural pairs, coalescing concurrent requests.</summary>
    public PredictionBatcher? NeuralBatcher { get; }

    /// <summary>The provider ONNX Runtime really runs the neural graph on.</summary>
    public string ExecutionProvider { get; }

    public float MinRating { get; }

    public float MaxRating { get; }

    /// <summary>Completes when the last reference is gone and the sessions are disposed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>0..ItemCount-1, the item column of a whole-catalog neural run.</summary>
    public long[] AllItemIndices { get; }

    /// <summary>What a pair with an unknown id gets under the fallback policy: the training mean.</summary>
    public float FallbackRating { get; }

    public bool Has(ServedKind kind) => kind == ServedKind.Mf ? Mf is not null : NeuralBatcher is not null;

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
            if (NeuralBatcher is not null)
            {
                await NeuralBatcher.DisposeAsync().ConfigureAwait(false);
            }

            MfTopK?.Dispose();
            NeuralRank?.Dispose();
            NeuralScorer?.Dispose();
            _neuralSession?.Dispose();
        }
        finally
        {
            _closed.TrySetResult();
        }
    }
}
