using Recommender.Models.Neural;

namespace Recommender.Models.Onnx;

/// <summary>
/// The first dense layer split into its user and item halves, precomputed per row:
/// W₁·[u; i] + b₁ = (W₁ᵤ·u) + (W₁ᵢ·i + b₁). A graph that gathers the two parts and adds them does
/// no first-layer arithmetic per pair, the layer that costs most (64 × 64 of the NeuMF network's
/// ~6 k multiply-adds a pair); the price is h floats a row instead of d (h = first hidden size).
/// Sums are accumulated in double: they replace float sums ORT would do, and equal them up to rounding.
/// </summary>
public static class FirstLayerParts
{
    /// <summary>W₁ᵤ·u for every user, [users, h].</summary>
    public static float[] UserPart(NeuralWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        return Part(weights.UserEmbedding, weights.UserCount, weights, column: 0, withBias: false);
    }

    /// <summary>W₁ᵢ·i + b₁ for every item, [items, h].</summary>
    public static float[] ItemPart(NeuralWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        return Part(weights.ItemEmbedding, weights.ItemCount, weights, column: weights.EmbeddingDim, withBias: true);
    }

    private static float[] Part(float[] embedding, int rows, NeuralWeights weights, int column, bool withBias)
    {
        var d = weights.EmbeddingDim;
        var first = weights.Layers[0];
        var hidden = first.OutputSize;
        var part = new float[(long)rows * hidden];
        for (var r = 0; r < rows; r++)
        {
            var vector = embedding.AsSpan(r * d, d);
            for (var o = 0; o < hidden; o++)
            {
                var weight = first.Weight.AsSpan((o * first.InputSize) + column, d);
                double sum = withBias ? first.Bias[o] : 0;
                for (var k = 0; k < d; k++)
                {
                    sum += (double)weight[k] * vector[k];
                }

                part[((long)r * hidden) + o] = (float)sum;
            }
        }

        return part;
    }
}
