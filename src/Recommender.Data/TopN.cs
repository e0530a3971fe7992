namespace Recommender.Data;

/// <summary>
/// Partial selection of the n best-scoring candidates with a bounded min-heap: O(m log n) for m
/// candidates instead of sorting all m. Ties go to the lower index so results are deterministic.
/// </summary>
public static class TopN
{
    /// <summary>
    /// Writes the indices (into <paramref name="scores"/>) of the best <paramref name="n"/> scores,
    /// best first, skipping indices for which <paramref name="exclude"/> returns true.
    /// Returns how many were written (fewer than n when there are fewer candidates).
    /// </summary>
    public static int Select(ReadOnlySpan<float> scores, int n, Span<int> bestIndices, Func<int, bool>? exclude = null) =>
        Select(scores, n, bestIndices, exclude, []);

    /// <summary>
    /// As above, skipping the indices where <paramref name="excluded"/> is true: a mask costs a
    /// load per candidate where a delegate costs a call (it matters over whole catalogs).
    /// </summary>
    public static int Select(ReadOnlySpan<float> scores, int n, Span<int> bestIndices, ReadOnlySpan<bool> excluded) =>
        Select(scores, n, bestIndices, null, excluded);

    // Compiled optimized at once: a whole-catalog loop, slow as tier-0/OSR code in a long-running server.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int Select(ReadOnlySpan<float> scores, int n, Span<int> bestIndices, Func<int, bool>? exclude, ReadOnlySpan<bool> excluded)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (bestIndices.Length < n)
        {
            throw new ArgumentException($"Output holds {bestIndices.Length} entries; {n} needed.", nameof(bestIndices));
        }

        var heap = bestIndices[..n];
        var count = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (float.IsNaN(scores[i]) || (i < excluded.Length && excluded[i]) || (exclude is not null && exclude(i)))
            {
                continue;
            }

            if (count < n)
            {
                heap[count] = i;
                SiftUp(heap, scores, count);
                count++;
            }
            else if (n > 0 && Better(scores, i, heap[0]))
            {
                heap[0] = i;
                SiftDown(heap[..count], scores, 0);
            }
        }

        // Heap-sort the kept entries into best-first order.
        for (var end = count - 1; end > 0; end--)
        {
            (heap[0], heap[end]) = (heap[end], heap[0]);
            SiftDown(heap[..end], scores, 0);
        }

        return count;
    }

    // "a ranks above b": higher score, or equal score and lower index.
    private static bool Better(ReadOnlySpan<float> scores, int a, int b) =>
        scores[a] > scores[b] || (scores[a] == scores[b] && a < b);

    // Min-heap on rank: the root is the worst of the kept entries.
    private static void SiftUp(Span<int> heap, ReadOnlySpan<float> scores, int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Better(scores, heap[parent], heap[i]))
            {
                break;
            }

            (heap[parent], heap[i]) = (heap[i], heap[parent]);
            i = parent;
        }
    }

    private static void SiftDown(Span<int> heap, ReadOnlySpan<float> scores, int i)
    {
        while (true)
        {
            var left = (2 * i) + 1;
            if (left >= heap.Length)
            {
                return;
            }

            var worst = left;
            var right = left + 1;
            if (right < heap.Length && Better(scores, heap[left], heap[right]))
            {
                worst = right;
            }

            if (!Better(scores, heap[i], heap[worst]))
            {
                return;
            }

            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }
}
