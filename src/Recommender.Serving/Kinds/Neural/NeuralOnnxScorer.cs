using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Recommender.Models.Onnx;

namespace Recommender.Serving;

/// <summary>
/// Runs the exported neural graph (inputs user_ids, item_ids: int64 [N]; output rating: float [N])
/// with the OrtValue API over caller memory: no NamedOnnxValue allocations per call.
/// InferenceSession.Run is thread-safe, so one scorer serves concurrent callers.
/// </summary>
public sealed class NeuralOnnxScorer(OnnxSession session) : IPairScorer, IDisposable
{
    private static readonly string[] InputNames = [OnnxNames.UserIds, OnnxNames.ItemIds];
    private static readonly string[] OutputNames = [OnnxNames.Rating];

    private readonly RunOptions _runOptions = new();

    public string ExecutionProvider => session.ExecutionProvider;

    public void Dispose() => _runOptions.Dispose();

    public unsafe void Score(ReadOnlySpan<long> users, ReadOnlySpan<long> items, Span<float> scores)
    {
        if (users.Length == 0)
        {
            return;
        }

        long[] shape = [users.Length];
        fixed (long* u = users)
        fixed (long* i = items)
        fixed (float* s = scores)
        {
            var info = OrtMemoryInfo.DefaultInstance;
            using var userValue = OrtValue.CreateTensorValueWithData(info, TensorElementType.Int64, shape, (nint)u, users.Length * sizeof(long));
            using var itemValue = OrtValue.CreateTensorValueWithData(info, TensorElementType.Int64, shape, (nint)i, items.Length * sizeof(long));
            using var output = OrtValue.CreateTensorValueWithData(info, TensorElementType.Float, shape, (nint)s, scores.Length * sizeof(float));
            session.Session.Run(_runOptions, InputNames, [userValue, itemValue], OutputNames, [output]);
        }
    }
}
