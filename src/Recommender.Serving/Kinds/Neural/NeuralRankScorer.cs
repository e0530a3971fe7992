using Microsoft.ML.OnnxRuntime;
using Recommender.Models.Onnx;

namespace Recommender.Serving;

/// <summary>
/// Scores one user against every catalog item with the neural ranking graph (user_ids [1] →
/// scores [1, I]) in one ONNX Runtime run, writing straight into the caller's buffer.
/// </summary>
public sealed class NeuralRankScorer(OnnxSession session, int itemCount) : IDisposable
{
    private static readonly string[] InputNames = [OnnxNames.UserIds];
    private static readonly string[] OutputNames = [OnnxNames.Scores];

    private readonly RunOptions _runOptions = new();

    public int ItemCount { get; } = itemCount;

    public unsafe void ScoreAllItems(int user, Span<float> scores)
    {
        if (scores.Length != ItemCount)
        {
            throw new ArgumentException($"Expected a buffer of {ItemCount} scores, got {scores.Length}.", nameof(scores));
        }

        long userId = user;
        fixed (float* s = scores)
        {
            var info = OrtMemoryInfo.DefaultInstance;
            using var input = OrtValue.CreateTensorValueWithData(info, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64, [1], (nint)(&userId), sizeof(long));
            using var output = OrtValue.CreateTensorValueWithData(info, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, [1, ItemCount], (nint)s, scores.Length * sizeof(float));
            session.Session.Run(_runOptions, InputNames, [input], OutputNames, [output]);
        }
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        session.Dispose();
    }
}
