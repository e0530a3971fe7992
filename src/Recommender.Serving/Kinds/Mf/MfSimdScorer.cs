using System.Numerics.Tensors;
using Recommender.Models.Mf;

namespace Recommender.Serving;

/// <summary>
/// MF scoring in managed code: SIMD dot products over the contiguous factor rows.
/// Raw scores (unclipped): callers clip predictions, and ranking is unaffected by clipping
/// except for ties at the bounds, which clipped ranking would make arbitrary.
/// </summary>
public sealed class MfSimdScorer(MfModel model) : IPairScorer
{
    public MfModel Model { get; } = model;

    public void Score(ReadOnlySpan<long> users, ReadOnlySpan<long> items, Span<float> scores)
    {
        for (var i = 0; i < users.Length; i++)
        {
            scores[i] = Model.RawScore((int)users[i], (int)items[i]);
        }
    }

    /// <summary>Scores every item of the catalog for one user into <paramref name="scores"/> (length ItemCount).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void ScoreAllItems(int user, Span<float> scores)
    {
        var k = Model.Factors;
        var row = Model.UserRow(user);
        var factors = Model.ItemFactors.AsSpan();
        for (var item = 0; item < Model.ItemCount; item++)
        {
            scores[item] = TensorPrimitives.Dot(row, factors.Slice(item * k, k));
        }

        if (Model.Biases is { } b)
        {
            // score = mean + b_u + b_i + dot: add the item biases as one vector op.
            TensorPrimitives.Add(scores, b.Item, scores);
            TensorPrimitives.Add(scores, b.GlobalMean + b.User[user], scores);
        }
    }
}
