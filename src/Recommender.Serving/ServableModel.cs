using Recommender.Models;
using Recommender.Models.Artifacts;

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

    internal ServableModel(ModelVersionBundle bundle, MfSimdScorer? mf, OnnxSession? neuralSession,
        PredictionBatcher? neuralBatcher, string executionProvider)
    {
        Bundle = bundle;
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

    public string Name => Bundle.Manifest.ModelName;

    public long Version => Bundle.Manifest.Version;

    public IdMaps Ids => Bundle.IdMaps;

    public ItemCatalog Catalog => Bundle.Catalog;

    public SeenItems Seen => Bundle.SeenItems;

    public MfSimdScorer? Mf { get; }

    /// <summary>Scores neural pairs, coalescing concurrent requests.</summary>
    public PredictionBatcher? NeuralBatcher { get; }

    /// <summary>The provider ONNX Runtime really runs the neural graph on.</summary>
    public string ExecutionProvider { get; }

    public float MinRating => Bundle.Manifest.MinRating;

    public float MaxRating => Bundle.Manifest.MaxRating;

    /// <summary>Completes when the last reference is gone and the sessions are disposed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>0..ItemCount-1, the item column of a whole-catalog neural run.</summary>
    public long[] AllItemIndices { get; }

    /// <summary>What a pair with an unknown id gets under the fallback policy: the training mean.</summary>
    public float FallbackRating => Bundle.Manifest.TrainingMeanRating;

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

    private async Task CloseAsync()
    {
        try
        {
            if (NeuralBatcher is not null)
            {
                await NeuralBatcher.DisposeAsync().ConfigureAwait(false);
            }

            _neuralSession?.Dispose();
        }
        finally
        {
            _closed.TrySetResult();
        }
    }
}
