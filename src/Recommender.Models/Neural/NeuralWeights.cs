namespace Recommender.Models.Neural;

/// <summary>
/// The trained weights of the neural model, as plain arrays: what the trainer hands to the ONNX
/// writer. Inference: concat(user_embedding[u], item_embedding[i]) through <see cref="Layers"/>.
/// Dropout is the identity at inference and so has no place here.
/// </summary>
public sealed record NeuralWeights(
    int UserCount,
    int ItemCount,
    int EmbeddingDim,
    float[] UserEmbedding,
    float[] ItemEmbedding,
    IReadOnlyList<DenseLayer> Layers);

/// <summary>
/// A fully connected layer y = x Wᵀ + b (PyTorch's Linear layout: <see cref="Weight"/> is
/// OutputSize x InputSize, row-major), followed by ReLU when <see cref="Relu"/> is set.
/// </summary>
public sealed record DenseLayer(int InputSize, int OutputSize, float[] Weight, float[] Bias, bool Relu);
