using System.ComponentModel.DataAnnotations;

namespace Recommender.Serving;

/// <summary>The inference service's configuration (section "Inference"), validated at start.</summary>
public sealed class InferenceOptions
{
    public const string Section = "Inference";

    /// <summary>The model repository: &lt;root&gt;/&lt;name&gt;/&lt;version&gt;/.</summary>
    [Required]
    public string RepositoryPath { get; set; } = "models";

    /// <summary>Model names to serve; empty serves every name found in the repository.</summary>
    public IList<string> ModelNames { get; } = [];

    /// <summary>Pin a version for every served name; 0 serves the latest.</summary>
    [Range(0, long.MaxValue)]
    public long PinnedVersion { get; set; }

    /// <summary>The model kind a request without one gets.</summary>
    public ServedKind DefaultKind { get; set; } = ServedKind.Mf;

    public ExecutionProviderPreference ExecutionProvider { get; set; } = ExecutionProviderPreference.Auto;

    /// <summary>How MF (and implicit) top-N is computed: chosen at load (Auto), or forced.</summary>
    public MfScorerPreference MfScorer { get; set; } = MfScorerPreference.Auto;

    /// <summary>Scoring concurrent Recommend calls of a dot-product kind together (large catalogs).</summary>
    public TopNBatchingOptions TopNBatching { get; set; } = new();

    /// <summary>Neural Recommend over a large catalog in two stages (retrieve, then re-rank).</summary>
    public TwoStageOptions TwoStage { get; set; } = new();

    [Range(0, 64)]
    public int CudaDeviceId { get; set; }

    /// <summary>ORT threads per run. 1 is fastest on small machines; concurrency comes from parallel runs.</summary>
    [Range(1, 256)]
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>How often the repository is rescanned (file-system events also trigger scans).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    public bool WatchFileSystem { get; set; } = true;

    /// <summary>
    /// How long a refused version's folder must stay unchanged before it is tried again: a version
    /// copied in place rather than renamed into place is incomplete until its last file lands.
    /// </summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(2);

    [Range(1, 10_000_000)]
    public int MaxPairsPerRequest { get; set; } = 100_000;

    [Range(1, 100_000)]
    public int MaxTopN { get; set; } = 1000;

    [Range(1, 100_000)]
    public int MaxUsersPerBatch { get; set; } = 1000;

    /// <summary>Items in one SimilarItems call.</summary>
    [Range(1, 100_000)]
    public int MaxItemsPerSimilarRequest { get; set; } = 1000;

    /// <summary>Items in a Recommend history (history_item_ids).</summary>
    [Range(1, 1_000_000)]
    public int MaxHistoryItems { get; set; } = 10_000;

    public BatchingOptions Batching { get; set; } = new();
}

/// <summary>
/// MF top-N. Auto: calls scored together (<see cref="BatchedTopNRanker"/>) when the item factors
/// exceed <see cref="TopNBatchingOptions.FromFactorBytes"/>, else the faster of SIMD and the ONNX
/// graph measured at load. The others force one ranker (Half: fp16 factors, float re-score).
/// </summary>
public enum MfScorerPreference
{
    Auto,
    Simd,
    Onnx,
    Half,
    Batched,
}

/// <summary>A model kind as the domain knows it.</summary>
public enum ServedKind
{
    Mf,
    Neural,
    Implicit,
    Blend,
}
