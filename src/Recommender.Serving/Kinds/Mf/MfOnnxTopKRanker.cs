using System.Buffers;

namespace Recommender.Serving;

/// <summary>
/// Ranks with the MF top-k graph: asks for enough items to survive the exclusions (every excluded
/// item could be among the best, so N + excluded), then filters in managed code.
/// </summary>
public sealed class MfOnnxTopKRanker(MfOnnxTopK graph) : IRanker, IDisposable
{
    public string Method => MfScorerChoice.Onnx;

    public string ExecutionProvider => graph.ExecutionProvider;

    public int Rank(int user, ReadOnlySpan<bool> excluded, int excludedCount, Span<int> items, Span<float> scores)
    {
        var k = Math.Min(graph.ItemCount, items.Length + excludedCount);
        var topScores = ArrayPool<float>.Shared.Rent(k);
        var topItems = ArrayPool<long>.Shared.Rent(k);
        try
        {
            var n = graph.Select(user, k, topScores, topItems);
            var written = 0;
            for (var i = 0; i < n && written < items.Length; i++)
            {
                var item = (int)topItems[i];
                if (!excluded[item])
                {
                    items[written] = item;
                    scores[written] = topScores[i];
                    written++;
                }
            }

            return written;
        }
        finally
        {
            ArrayPool<long>.Shared.Return(topItems);
            ArrayPool<float>.Shared.Return(topScores);
        }
    }

    public void Dispose() => graph.Dispose();
}
