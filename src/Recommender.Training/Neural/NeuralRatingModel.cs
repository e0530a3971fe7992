using Recommender.Models.Neural;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Recommender.Training.Neural;

/// <summary>
/// The neural rating model. The seed notebook's architecture: user and item embeddings,
/// concatenated, through Linear + ReLU hidden layers (optionally followed by dropout) and a final
/// Linear to one output. NeuMF (He et al. 2017) adds a GMF branch, user_gmf[u] ⊙ item_gmf[i],
/// concatenated with the MLP's output before the final Linear, and mean + b_u + b_i added to the
/// output, so the network only has to learn what biases and a factorization leave.
/// Initialization follows Keras (the notebook's framework): embeddings uniform in [-0.05, 0.05],
/// Linear weights Glorot-uniform, biases zero (also the rating biases). Forward takes int64 user
/// and item index tensors of shape [N] and returns predicted ratings of shape [N].
/// </summary>
public sealed class NeuralRatingModel : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding user_embedding;
    private readonly Embedding item_embedding;
    private readonly ModuleList<Linear> layers;
    private readonly Dropout? dropout;

    // Side features (NeuMF only): fixed per-index weight rows [count x K] (buffers, not trained)
    // and trained tables [K x width] in the fused layout; a side's representation is
    // embedding[u] + rows[u] · table. Export folds the sum into the embedding tables, so the
    // served graph keeps its inputs and its shape.
    private readonly Tensor? user_feature_rows;
    private readonly Tensor? item_feature_rows;
    private readonly Parameter? user_feature_table;
    private readonly Parameter? item_feature_table;

    // Feature rows of profiled users and catalog items that have no index (no training rating):
    // plain arrays, never looked up in training. Export appends a row rows · table for each (an
    // embedding of zero, the prior every trained row shrinks toward), after the indexed rows.
    private readonly float[] coldUserRows = [];
    private readonly float[] coldItemRows = [];

    // A 0-d tensor, not a double: arithmetic with doubles goes through TorchSharp Scalars, which a
    // dispose scope may free while libtorch still reads them (seen as a failed Scalar::toDouble).
    private readonly Tensor? globalMean;

    /// <summary>
    /// Creates a model with freshly initialized weights, drawn from torch's process-wide generator
    /// (seed it with <c>torch.manual_seed</c> for reproducible weights).
    /// </summary>
    public NeuralRatingModel(int userCount, int itemCount, int embeddingDim, IReadOnlyList<int> hiddenSizes, double dropout = 0)
        : this(userCount, itemCount, embeddingDim, hiddenSizes, dropout, 0, null, initialize: true)
    {
    }

    /// <summary>A NeuMF model: a GMF branch of <paramref name="gmfDim"/> and rating biases around <paramref name="globalMean"/>.</summary>
    public NeuralRatingModel(int userCount, int itemCount, int embeddingDim, IReadOnlyList<int> hiddenSizes, double dropout, int gmfDim, float globalMean)
        : this(userCount, itemCount, embeddingDim, hiddenSizes, dropout, gmfDim, globalMean, initialize: true)
    {
    }

    /// <summary>
    /// A NeuMF model whose users and items also get <paramref name="features"/>' side
    /// information: feature tables that start at zero (so they draw nothing from the generator).
    /// </summary>
    public NeuralRatingModel(
        int userCount, int itemCount, int embeddingDim, IReadOnlyList<int> hiddenSizes, double dropout, int gmfDim, float globalMean, NeuralSideFeatures? features)
        : this(userCount, itemCount, embeddingDim, hiddenSizes, dropout, gmfDim, globalMean, initialize: true, features)
    {
    }

    /// <summary>
    /// A model for training: the seed network when <paramref name="globalMean"/> is null, NeuMF
    /// otherwise. <paramref name="sparseEmbeddings"/> makes the embedding tables' gradients sparse
    /// (the looked-up rows only), for <see cref="LazyEmbeddingAdam"/>; the weights drawn are the same.
    /// </summary>
    internal NeuralRatingModel(
        int userCount, int itemCount, int embeddingDim, IReadOnlyList<int> hiddenSizes, double dropout, int gmfDim, float? globalMean,
        NeuralSideFeatures? features, bool sparseEmbeddings)
        : this(userCount, itemCount, embeddingDim, hiddenSizes, dropout, gmfDim, globalMean, initialize: true, features, sparseEmbeddings)
    {
    }

    private NeuralRatingModel(
        int userCount, int itemCount, int embeddingDim, IReadOnlyList<int> hiddenSizes, double dropout, int gmfDim, float? globalMean, bool initialize,
        NeuralSideFeatures? features = null, bool sparseEmbeddings = false)
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

        ArgumentOutOfRangeException.ThrowIfNegative(gmfDim);
        if (gmfDim > 0 && globalMean is null)
        {
            throw new ArgumentException("A GMF branch comes with the NeuMF biases.", nameof(gmfDim));
        }

        if (features is not null && (features.UserCount != userCount || features.ItemCount != itemCount))
        {
            throw new ArgumentException(
                $"Features are for {features.UserCount} users x {features.ItemCount} items; the model has {userCount} x {itemCount}.", nameof(features));
        }

        UserCount = userCount;
        ItemCount = itemCount;
        EmbeddingDim = embeddingDim;
        HiddenSizes = [.. hiddenSizes];
        GmfDim = gmfDim;
        GlobalMean = globalMean;

        // Creating the layers draws from torch's process-wide generator: serialize with training.
        // NeuMF keeps each side's MLP embedding, GMF factors and bias in one table of
        // d + g + 1 columns: one lookup per side and batch instead of three (the step's cost is
        // mostly per-operation overhead at these sizes), sliced in forward and split at export.
        using var gate = TorchGate.Enter();
        var width = globalMean is null ? embeddingDim : embeddingDim + gmfDim + 1;
        user_embedding = nn.Embedding(userCount, width, sparse: sparseEmbeddings);
        item_embedding = nn.Embedding(itemCount, width, sparse: sparseEmbeddings);
        var linears = new List<Linear>();
        var input = 2 * embeddingDim;
        foreach (var size in HiddenSizes)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(hiddenSizes));
            linears.Add(nn.Linear(input, size));
            input = size;
        }

        linears.Add(nn.Linear(input + gmfDim, 1));
        layers = nn.ModuleList(linears.ToArray());
        this.dropout = dropout > 0 ? nn.Dropout(dropout) : null;
        if (globalMean is not null)
        {
            this.globalMean = torch.tensor(globalMean.Value);
        }

        if (features is { UserColumns: > 0 })
        {
            user_feature_rows = torch.tensor(features.UserRows, [userCount, features.UserColumns]);
            user_feature_table = nn.Parameter(torch.zeros(features.UserColumns, width));
        }

        if (features is { ItemColumns: > 0 })
        {
            item_feature_rows = torch.tensor(features.ItemRows, [itemCount, features.ItemColumns]);
            item_feature_table = nn.Parameter(torch.zeros(features.ItemColumns, width));
        }

        if (features is not null)
        {
            coldUserRows = features.ColdUserRows;
            coldItemRows = features.ColdItemRows;
            ColdUserCount = features.ColdUsers.Count;
            ColdItemCount = features.ColdItems.Count;
        }

        RegisterComponents();
        if (!initialize)
        {
            return;
        }

        using var noGc = NoGcRegion.Enter();
        using (torch.no_grad())
        {
            nn.init.uniform_(user_embedding.weight!, -0.05, 0.05);
            nn.init.uniform_(item_embedding.weight!, -0.05, 0.05);
            foreach (var linear in linears)
            {
                nn.init.xavier_uniform_(linear.weight!);
                nn.init.zeros_(linear.bias!);
            }

            if (globalMean is not null)
            {
                // Rating biases start at zero.
                user_embedding.weight!.narrow(1, width - 1, 1).zero_();
                item_embedding.weight!.narrow(1, width - 1, 1).zero_();
            }
        }
    }

    public int UserCount { get; }

    public int ItemCount { get; }

    public int EmbeddingDim { get; }

    public IReadOnlyList<int> HiddenSizes { get; }

    /// <summary>Size of the GMF branch; 0 for the notebook's architecture.</summary>
    public int GmfDim { get; }

    /// <summary>The mean the rating biases are added to; null when the model has no biases.</summary>
    public float? GlobalMean { get; }

    /// <summary>Users with feature rows but no index, whose rows the export appends after <see cref="UserCount"/>.</summary>
    public int ColdUserCount { get; }

    /// <summary>Items with feature rows but no index, whose rows the export appends after <see cref="ItemCount"/>.</summary>
    public int ColdItemCount { get; }

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
        var model = new NeuralRatingModel(weights.UserCount, weights.ItemCount, weights.EmbeddingDim, hidden, 0,
            weights.Gmf?.Dim ?? 0, weights.Biases?.GlobalMean, initialize: false);
        model.LoadWeights(weights);
        return model;
    }

    public override Tensor forward(Tensor users, Tensor items) => Forward(users, items, penalty: false).Ratings;

    /// <summary>
    /// Forward for training: the predictions and the squared norm of the embedding rows (and
    /// biases) the batch looks up, divided by the batch size: the L2 penalty of SGD matrix
    /// factorization, which shrinks each row in proportion to how often it is used, where Adam's
    /// weight decay would shrink every row at every step.
    /// </summary>
    public (Tensor Ratings, Tensor Penalty) ForwardWithPenalty(Tensor users, Tensor items)
    {
        var (ratings, penalty) = Forward(users, items, penalty: true);
        return (ratings, penalty!);
    }

    private (Tensor Ratings, Tensor? Penalty) Forward(Tensor users, Tensor items, bool penalty)
    {
        using var scope = torch.NewDisposeScope();
        var userRows = WithFeatures(user_embedding.forward(users), user_feature_rows, user_feature_table, users);
        var itemRows = WithFeatures(item_embedding.forward(items), item_feature_rows, item_feature_table, items);
        var neuMf = globalMean is not null;
        var d = EmbeddingDim;
        var x = neuMf
            ? torch.cat([userRows.narrow(1, 0, d), itemRows.narrow(1, 0, d)], 1)
            : torch.cat([userRows, itemRows], 1);
        for (var i = 0; i < layers.Count; i++)
        {
            if (i == layers.Count - 1 && GmfDim > 0)
            {
                x = torch.cat([x, userRows.narrow(1, d, GmfDim) * itemRows.narrow(1, d, GmfDim)], 1);
            }

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

        x = x.reshape(-1);
        if (neuMf)
        {
            // ((network + mean) + b_u) + b_i: the association the ONNX export uses.
            var last = d + GmfDim;
            x = x + globalMean! + userRows.narrow(1, last, 1).reshape(-1) + itemRows.narrow(1, last, 1).reshape(-1);
        }

        Tensor? rowPenalty = null;
        if (penalty)
        {
            // x * x rather than square(), which goes through a Scalar exponent. The whole
            // representation (embedding + features) is penalized: penalizing the embedding alone
            // left the feature tables free and did worse on validation than no features at all
            // (ML-100K u1: 0.9135 against 0.9005 with this penalty).
            rowPenalty = ((userRows * userRows).sum(1) + (itemRows * itemRows).sum(1)).mean().MoveToOuterDisposeScope();
        }

        return (x.MoveToOuterDisposeScope(), rowPenalty);
    }

    private static Tensor WithFeatures(Tensor idRows, Tensor? featureRows, Tensor? table, Tensor indices) =>
        table is null ? idRows : idRows + featureRows!.index_select(0, indices).mm(table);

    /// <summary>The user and the item embedding tables (NeuMF: the fused embedding | GMF | bias tables).</summary>
    internal IReadOnlyList<Parameter> EmbeddingTables => [user_embedding.weight!, item_embedding.weight!];

    /// <summary>Every trained parameter but <see cref="EmbeddingTables"/>: the dense layers and the side-feature tables.</summary>
    internal IEnumerable<Parameter> ParametersBesideEmbeddings() =>
        named_parameters().Where(p => !p.name.StartsWith(nameof(user_embedding) + ".", StringComparison.Ordinal)
            && !p.name.StartsWith(nameof(item_embedding) + ".", StringComparison.Ordinal)).Select(p => p.parameter);

    /// <summary>True when the model has side-feature tables on either side.</summary>
    public bool HasSideFeatures => user_feature_table is not null || item_feature_table is not null;

    /// <summary>‖θ‖² over the dense layers' weights and biases (their weight decay; embedding tables have <see cref="EmbeddingPenalty"/>).</summary>
    public Tensor DenseSquaredNorm()
    {
        using var scope = torch.NewDisposeScope();
        Tensor? sum = null;
        foreach (var parameter in layers.parameters())
        {
            var square = (parameter * parameter).sum();
            sum = sum is null ? square : sum + square;
        }

        return sum!.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Predicts ratings for (user, item) index pairs, without gradients and in evaluation mode
    /// (dropout off), in chunks of <paramref name="batchSize"/>. Predictions are not clipped.
    /// </summary>
    public float[] Predict(ReadOnlySpan<int> users, ReadOnlySpan<int> items, int batchSize = 8192)
    {
        if (users.Length != items.Length)
        {
            throw new ArgumentException($"Got {users.Length} users but {items.Length} items.", nameof(items));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckIndices(users, UserCount, "User");
        CheckIndices(items, ItemCount, "Item");

        var wasTraining = training;
        using var noGc = NoGcRegion.Enter();
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

        if (GlobalMean is not { } mean)
        {
            return new NeuralWeights(UserCount, ItemCount, EmbeddingDim, ToArray(user_embedding.weight!), ToArray(item_embedding.weight!), dense);
        }

        var users = WithCold(Folded(user_embedding.weight!, user_feature_rows, user_feature_table), coldUserRows, ColdUserCount, user_feature_table);
        var items = WithCold(Folded(item_embedding.weight!, item_feature_rows, item_feature_table), coldItemRows, ColdItemCount, item_feature_table);
        return new NeuralWeights(UserCount + ColdUserCount, ItemCount + ColdItemCount, EmbeddingDim, Columns(users, 0, EmbeddingDim), Columns(items, 0, EmbeddingDim), dense)
        {
            Gmf = GmfDim > 0 ? new GmfBranch(GmfDim, Columns(users, EmbeddingDim, GmfDim), Columns(items, EmbeddingDim, GmfDim)) : null,
            Biases = new OutputBiases(mean, Columns(users, EmbeddingDim + GmfDim, 1), Columns(items, EmbeddingDim + GmfDim, 1)),
        };
    }

    /// <summary>embedding + rows · table for every index: the side features baked into the exported table.</summary>
    private static float[] Folded(Tensor embedding, Tensor? featureRows, Tensor? table)
    {
        if (table is null)
        {
            return ToArray(embedding);
        }

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return ToArray(embedding + featureRows!.mm(table));
    }

    /// <summary>
    /// <paramref name="folded"/> followed by one row per cold index: its feature rows · table (zero
    /// when the side has no feature table).
    /// </summary>
    private float[] WithCold(float[] folded, float[] coldRows, int coldCount, Tensor? table)
    {
        if (coldCount == 0)
        {
            return folded;
        }

        var result = new float[folded.Length + (coldCount * TableWidth)];
        folded.CopyTo(result, 0);
        if (table is not null)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var rows = torch.tensor(coldRows, [coldCount, table.shape[0]]);
            rows.mm(table).contiguous().data<float>().CopyTo(result.AsSpan(folded.Length));
        }

        return result;
    }

    private int TableWidth => GlobalMean is null ? EmbeddingDim : EmbeddingDim + GmfDim + 1;

    /// <summary>Columns [from, from + count) of a row-major table of <see cref="TableWidth"/> columns.</summary>
    private float[] Columns(float[] table, int from, int count)
    {
        var width = TableWidth;
        var rows = table.Length / width;
        var result = new float[rows * count];
        for (var r = 0; r < rows; r++)
        {
            table.AsSpan((r * width) + from, count).CopyTo(result.AsSpan(r * count));
        }

        return result;
    }

    /// <summary>The fused NeuMF table of one side: [embedding | GMF factors | bias] per row.</summary>
    private float[] Fuse(float[] embedding, float[]? gmf, float[] bias, int rows)
    {
        var width = TableWidth;
        var table = new float[rows * width];
        for (var r = 0; r < rows; r++)
        {
            embedding.AsSpan(r * EmbeddingDim, EmbeddingDim).CopyTo(table.AsSpan(r * width));
            gmf?.AsSpan(r * GmfDim, GmfDim).CopyTo(table.AsSpan((r * width) + EmbeddingDim));
            table[(r * width) + width - 1] = bias[r];
        }

        return table;
    }

    /// <summary>Overwrites this model's weights with <paramref name="weights"/>; shapes must match.</summary>
    public void LoadWeights(NeuralWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (HasSideFeatures)
        {
            // Exported weights have the features folded in; loading them beside the feature
            // tables would count the features twice.
            throw new InvalidOperationException("A model with side features cannot load exported (folded) weights; use FromWeights.");
        }

        if (weights.UserCount != UserCount || weights.ItemCount != ItemCount || weights.EmbeddingDim != EmbeddingDim)
        {
            throw new ArgumentException(
                $"Weights are for {weights.UserCount} users x {weights.ItemCount} items x {weights.EmbeddingDim} dims; "
                + $"the model has {UserCount} x {ItemCount} x {EmbeddingDim}.",
                nameof(weights));
        }

        if ((weights.Gmf?.Dim ?? 0) != GmfDim || (weights.Biases is null) != (GlobalMean is null))
        {
            throw new ArgumentException(
                $"Weights have a GMF branch of {weights.Gmf?.Dim ?? 0} and {(weights.Biases is null ? "no " : "")}biases; "
                + $"the model has {GmfDim} and {(GlobalMean is null ? "no " : "")}biases.",
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
        if (weights.Biases is { } biases)
        {
            CopyInto(user_embedding.weight!, Fuse(weights.UserEmbedding, weights.Gmf?.UserFactors, biases.User, UserCount));
            CopyInto(item_embedding.weight!, Fuse(weights.ItemEmbedding, weights.Gmf?.ItemFactors, biases.Item, ItemCount));
        }
        else
        {
            CopyInto(user_embedding.weight!, weights.UserEmbedding);
            CopyInto(item_embedding.weight!, weights.ItemEmbedding);
        }

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
