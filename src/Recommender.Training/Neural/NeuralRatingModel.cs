using Recommender.Models.Neural;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Recommender.Training.Neural;

/// <summary>
/// The seed notebook's neural rating model: user and item embeddings, concatenated, through
/// Linear + ReLU hidden layers (optionally followed by dropout) and a final Linear to one output.
/// Initialization follows Keras (the notebook's framework): embeddings uniform in [-0.05, 0.05],
/// Linear weights Glorot-uniform, biases zero. Forward takes int64 user and item index tensors of
/// shape [N] and returns predicted ratings of shape [N].
/// </summary>
public sealed class NeuralRatingModel : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding user_embedding;
    private readonly Embedding item_embedding;
    private readonly ModuleList<Linear> layers;
    private readonly Dropout? dropout;

    /// <summary>
    /// Creates a model with freshly initialized weights, drawn from torch's process-wide generator
    /// (seed it with <c>torch.manual_seed</c> for reproducible weights).
    /// </summary>
    public NeuralRatingModel(int userCount, int itemCount, int embeddingDim, IReadOnlyList<int> hiddenSizes, double dropout = 0)
        : this(userCount, itemCount, embeddingDim, hiddenSizes, dropout, initialize: true)
    {
    }

    private NeuralRatingModel(
        int userCount, int itemCount, int embeddingDim, IReadOnlyList<int> hiddenSizes, double dropout, bool initialize)
        : base(nameof(NeuralRatingModel))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(userCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(itemCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDim, 1);
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        if (!(dropout >= 0 && dropout < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Dropout must be in [0, 1).");
        }

        UserCount = userCount;
        ItemCount = itemCount;
        EmbeddingDim = embeddingDim;
        HiddenSizes = [.. hiddenSizes];

        // Creating the layers draws from torch's process-wide generator: serialize with training.
        using var gate = TorchGate.Enter();
        user_embedding = nn.Embedding(userCount, embeddingDim);
        item_embedding = nn.Embedding(itemCount, embeddingDim);
        var linears = new List<Linear>();
        var input = 2 * embeddingDim;
        foreach (var size in HiddenSizes)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(hiddenSizes));
            linears.Add(nn.Linear(input, size));
            input = size;
        }

        linears.Add(nn.Linear(input, 1));
        layers = nn.ModuleList(linears.ToArray());
        this.dropout = dropout > 0 ? nn.Dropout(dropout) : null;
        RegisterComponents();
        if (!initialize)
        {
            return;
        }

        using (torch.no_grad())
        {
            nn.init.uniform_(user_embedding.weight!, -0.05, 0.05);
            nn.init.uniform_(item_embedding.weight!, -0.05, 0.05);
            foreach (var linear in linears)
            {
                nn.init.xavier_uniform_(linear.weight!);
                nn.init.zeros_(linear.bias!);
            }
        }
    }

    public int UserCount { get; }

    public int ItemCount { get; }

    public int EmbeddingDim { get; }

    public IReadOnlyList<int> HiddenSizes { get; }

    /// <summary>
    /// Builds a model holding <paramref name="weights"/> (no dropout: for inference). Draws nothing
    /// from torch's random generator, so it never disturbs a seeded training running beside it.
    /// </summary>
    public static NeuralRatingModel FromWeights(NeuralWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Layers.Count == 0 || weights.Layers[^1].OutputSize != 1)
        {
            throw new ArgumentException("The last layer must have exactly one output.", nameof(weights));
        }

        var hidden = weights.Layers.Take(weights.Layers.Count - 1).Select(l => l.OutputSize).ToArray();
        var model = new NeuralRatingModel(weights.UserCount, weights.ItemCount, weights.EmbeddingDim, hidden, 0, initialize: false);
        model.LoadWeights(weights);
        return model;
    }

    public override Tensor forward(Tensor users, Tensor items)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.cat([user_embedding.forward(users), item_embedding.forward(items)], 1);
        for (var i = 0; i < layers.Count; i++)
        {
            x = layers[i].forward(x);
            if (i < layers.Count - 1)
            {
                x = nn.functional.relu(x);
                if (dropout is not null)
                {
                    x = dropout.forward(x);
                }
            }
        }

        return x.reshape(-1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Predicts ratings for (user, item) index pairs, without gradients and in evaluation mode
    /// (dropout off), in chunks of <paramref name="batchSize"/>. Predictions are not clipped.
    /// </summary>
    public float[] Predict(ReadOnlySpan<int> users, ReadOnlySpan<int> items, int batchSize = 65_536)
    {
        if (users.Length != items.Length)
        {
            throw new ArgumentException($"Got {users.Length} users but {items.Length} items.", nameof(items));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckIndices(users, UserCount, "User");
        CheckIndices(items, ItemCount, "Item");

        var wasTraining = training;
        eval();
        try
        {
            var result = new float[users.Length];
            using var noGrad = torch.no_grad();
            for (var start = 0; start < users.Length; start += batchSize)
            {
                var n = Math.Min(batchSize, users.Length - start);
                var userChunk = new long[n];
                var itemChunk = new long[n];
                for (var k = 0; k < n; k++)
                {
                    userChunk[k] = users[start + k];
                    itemChunk[k] = items[start + k];
                }

                using var scope = torch.NewDisposeScope();
                var predictions = forward(torch.tensor(userChunk), torch.tensor(itemChunk));
                predictions.data<float>().CopyTo(result.AsSpan(start, n));
            }

            return result;
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>
    /// Copies the weights out as plain arrays: embeddings [count x dim] row-major, Linear weights in
    /// PyTorch's [out x in] row-major layout, ReLU on every layer but the last.
    /// </summary>
    public NeuralWeights ExportWeights()
    {
        var dense = new List<DenseLayer>(layers.Count);
        for (var i = 0; i < layers.Count; i++)
        {
            var linear = layers[i];
            dense.Add(new DenseLayer(
                (int)linear.in_features,
                (int)linear.out_features,
                ToArray(linear.weight!),
                ToArray(linear.bias!),
                Relu: i < layers.Count - 1));
        }

        return new NeuralWeights(
            UserCount,
            ItemCount,
            EmbeddingDim,
            ToArray(user_embedding.weight!),
            ToArray(item_embedding.weight!),
            dense);
    }

    /// <summary>Overwrites this model's weights with <paramref name="weights"/>; shapes must match.</summary>
    public void LoadWeights(NeuralWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.UserCount != UserCount || weights.ItemCount != ItemCount || weights.EmbeddingDim != EmbeddingDim)
        {
            throw new ArgumentException(
                $"Weights are for {weights.UserCount} users x {weights.ItemCount} items x {weights.EmbeddingDim} dims; "
                + $"the model has {UserCount} x {ItemCount} x {EmbeddingDim}.",
                nameof(weights));
        }

        if (weights.Layers.Count != layers.Count)
        {
            throw new ArgumentException($"Weights have {weights.Layers.Count} layers; the model has {layers.Count}.", nameof(weights));
        }

        for (var i = 0; i < layers.Count; i++)
        {
            var layer = weights.Layers[i];
            if (layer.InputSize != layers[i].in_features || layer.OutputSize != layers[i].out_features
                || layer.Relu != (i < layers.Count - 1))
            {
                throw new ArgumentException(
                    $"Layer {i} is {layer.InputSize}->{layer.OutputSize} (ReLU {layer.Relu}); the model's is "
                    + $"{layers[i].in_features}->{layers[i].out_features} (ReLU {i < layers.Count - 1}).",
                    nameof(weights));
            }
        }

        using var noGrad = torch.no_grad();
        CopyInto(user_embedding.weight!, weights.UserEmbedding);
        CopyInto(item_embedding.weight!, weights.ItemEmbedding);
        for (var i = 0; i < layers.Count; i++)
        {
            CopyInto(layers[i].weight!, weights.Layers[i].Weight);
            CopyInto(layers[i].bias!, weights.Layers[i].Bias);
        }
    }

    internal static void CheckIndices(ReadOnlySpan<int> indices, int count, string what)
    {
        for (var k = 0; k < indices.Length; k++)
        {
            if ((uint)indices[k] >= (uint)count)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(indices),
                    $"{what} index {indices[k]} at position {k} is outside [0, {count}).");
            }
        }
    }

    private static float[] ToArray(Tensor parameter)
    {
        using var scope = torch.NewDisposeScope();
        return parameter.detach().contiguous().data<float>().ToArray();
    }

    private static void CopyInto(Tensor parameter, float[] values)
    {
        if (values is null || values.Length != parameter.numel())
        {
            throw new ArgumentException(
                $"Expected {parameter.numel()} values for a parameter of shape [{string.Join(", ", parameter.shape)}], got {values?.Length ?? 0}.");
        }

        using var scope = torch.NewDisposeScope();
        parameter.copy_(torch.tensor(values, parameter.shape));
    }
}
