namespace Recommender.Models.Neural;

/// <summary>
/// The trained weights of the neural model, as plain arrays: what the trainer hands to the ONNX
/// writer. Inference: concat(user_embedding[u], item_embedding[i]) through the hidden
/// <see cref="Layers"/>; with a <see cref="Gmf"/> branch, the last layer takes
/// concat(hidden output, user_gmf[u] ⊙ item_gmf[i]) (NeuMF); with <see cref="Biases"/>, the
/// output is added to mean + b_u + b_i. The seed notebook's network has neither.
/// Dropout is the identity at inference and so has no place here.
/// </summary>
public sealed record NeuralWeights(
    int UserCount,
    int ItemCount,
    int EmbeddingDim,
    float[] UserEmbedding,
    float[] ItemEmbedding,
    IReadOnlyList<DenseLayer> Layers)
{
    /// <summary>The generalized-MF branch beside the MLP; null for the notebook's architecture.</summary>
    public GmfBranch? Gmf { get; init; }

    /// <summary>Global mean and per-user / per-item biases added to the output; null for the notebook's architecture.</summary>
    public OutputBiases? Biases { get; init; }
}

/// <summary>
/// A fully connected layer y = x Wᵀ + b (PyTorch's Linear layout: <see cref="Weight"/> is
/// OutputSize x InputSize, row-major), followed by ReLU when <see cref="Relu"/> is set.
/// </summary>
public sealed record DenseLayer(int InputSize, int OutputSize, float[] Weight, float[] Bias, bool Relu)
{
    /// <summary>Input columns [from, from + count) of <see cref="Weight"/> as [count, out] (MatMul's right side), times <paramref name="scale"/>.</summary>
    public float[] Transposed(int from, int count, float scale = 1f)
    {
        var result = new float[count * OutputSize];
        for (var o = 0; o < OutputSize; o++)
        {
            for (var i = 0; i < count; i++)
            {
                result[(i * OutputSize) + o] = Weight[(o * InputSize) + from + i] * scale;
            }
        }

        return result;
    }
}

/// <summary>NeuMF's GMF branch: user and item factor tables [count x Dim] whose element-wise product feeds the last layer.</summary>
public sealed record GmfBranch(int Dim, float[] UserFactors, float[] ItemFactors);

/// <summary>mean + b_u + b_i, added to the network's output.</summary>
public sealed record OutputBiases(float GlobalMean, float[] User, float[] Item);
