using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Recommender.Models.Onnx;

namespace Recommender.Serving;

/// <summary>
/// MF top-k over the whole catalog in ONNX Runtime (the exported mf_topk graph: Gather → Gemm →
/// TopK). On CUDA this is one kernel sequence per request instead of a managed pass over every
/// item; on CPU the managed SIMD scorer usually wins (the loader measures both and picks).
/// Scores are raw (unclipped), best first.
/// </summary>
public sealed class MfOnnxTopK(OnnxSession session, int itemCount) : IDisposable
{
    private static readonly string[] InputNames = [OnnxNames.UserIds, OnnxNames.K];
    private static readonly string[] OutputNames = [OnnxNames.Scores, OnnxNames.ItemIndices];

    private readonly RunOptions _runOptions = new();

    public int ItemCount { get; } = itemCount;

    /// <summary>The provider ONNX Runtime really runs the graph on.</summary>
    public string ExecutionProvider => session.ExecutionProvider;

    /// <summary>
    /// The best <paramref name="k"/> items for <paramref name="user"/> (k is capped at the catalog
    /// size, which ORT's TopK requires). Returns how many were written.
    /// </summary>
    public int Select(int user, int k, Span<float> scores, Span<long> items)
    {
        k = Math.Min(k, ItemCount);
        long[] userIds = [user];
        long[] kValue = [k];
        var outScores = new float[k];
        var outItems = new long[k];
        var info = OrtMemoryInfo.DefaultInstance;
        using var userValue = OrtValue.CreateTensorValueFromMemory(info, userIds.AsMemory(), [1]);
        using var kTensor = OrtValue.CreateTensorValueFromMemory(info, kValue.AsMemory(), [1]);
        using var scoreValue = OrtValue.CreateTensorValueFromMemory(info, outScores.AsMemory(), [1, k]);
        using var itemValue = OrtValue.CreateTensorValueFromMemory(info, outItems.AsMemory(), [1, k]);
        session.Session.Run(_runOptions, InputNames, [userValue, kTensor], OutputNames, [scoreValue, itemValue]);
        outScores.CopyTo(scores);
        outItems.CopyTo(items);
        return k;
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        session.Dispose();
    }
}
