using System.Globalization;

namespace Recommender.Models.Repository;

/// <summary>
/// One model in a version: its kind (e.g. <c>mf</c>, <c>neural</c>), the file that holds it, and
/// kind-specific properties as strings. Generic on purpose: the repository only checks that the file
/// is present and intact, so new kinds (another ONNX graph) need no change here.
/// </summary>
public sealed class ModelEntry
{
    public const string MfKind = "mf";
    public const string NeuralKind = "neural";

    /// <summary>The implicit-feedback (weighted ALS) factor file.</summary>
    public const string ImplicitKind = "implicit";

    /// <summary>Implicit top-k over the catalog as an ONNX graph (user_ids, k → scores, item_indices).</summary>
    public const string ImplicitTopKOnnxKind = "implicit-topk-onnx";

    /// <summary>A linear blend of rating models as one ONNX graph (user_ids, item_ids → rating).</summary>
    public const string BlendKind = "blend";

    /// <summary>The neural model as a ranking graph (user_ids → scores over the whole catalog).</summary>
    public const string NeuralRankOnnxKind = "neural-rank-onnx";

    /// <summary>MF pair scoring as an ONNX graph (user_ids, item_ids → rating).</summary>
    public const string MfOnnxKind = "mf-onnx";

    /// <summary>MF top-k over the catalog as an ONNX graph (user_ids, k → scores, item_indices).</summary>
    public const string MfTopKOnnxKind = "mf-topk-onnx";

    /// <summary>
    /// A pair graph's property ("true") saying its tables also have the rows of the version's cold
    /// ids (<see cref="ArtifactFileNames.ColdIds"/>), past the id maps' counts.
    /// </summary>
    public const string ColdRowsProperty = "coldRows";

    /// <summary>
    /// The blend's property naming the kind whose cold rows score the pairs the blend's members
    /// have no rows for (a user or item without a training rating): the blend serves that kind's prediction for them.
    /// </summary>
    public const string ColdPairsProperty = "coldPairs";

    public ModelEntry(string kind, string file, IReadOnlyDictionary<string, string>? properties = null)
    {
        if (!ModelNames.IsValid(kind))
        {
            throw new ArgumentException($"Model kind '{kind}' is invalid: use the model-name rule (a-z, 0-9, '.', '_', '-').", nameof(kind));
        }

        Kind = kind;
        File = ArtifactFileNames.Validate(file, nameof(file));
        Properties = new SortedDictionary<string, string>(
            properties?.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal) ?? [], StringComparer.Ordinal);
    }

    public string Kind { get; }

    /// <summary>File name inside the version directory.</summary>
    public string File { get; }

    /// <summary>Kind-specific facts, sorted by key so the manifest is byte-stable.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    /// <summary>The MF model: properties <c>variant</c> (seed/biased) and <c>factors</c>.</summary>
    public static ModelEntry Mf(string file, string variant, int factors) =>
        new(MfKind, file, new Dictionary<string, string>
        {
            ["variant"] = variant,
            ["factors"] = factors.ToString(CultureInfo.InvariantCulture),
        });

    /// <summary>The neural model: properties <c>embeddingDim</c> and <c>hiddenSizes</c> (comma-separated, e.g. "64,32").</summary>
    public static ModelEntry Neural(string file, int embeddingDim, IReadOnlyList<int> hiddenSizes, IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        var properties = extra?.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal) ?? new Dictionary<string, string>(StringComparer.Ordinal);
        properties["embeddingDim"] = embeddingDim.ToString(CultureInfo.InvariantCulture);
        properties["hiddenSizes"] = string.Join(',', hiddenSizes.Select(h => h.ToString(CultureInfo.InvariantCulture)));
        return new ModelEntry(NeuralKind, file, properties);
    }

    public string? Property(string key) => Properties.TryGetValue(key, out var value) ? value : null;
}
