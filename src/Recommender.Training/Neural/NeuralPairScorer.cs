using Recommender.Models.Neural;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Neural;

/// <summary>
/// Scores many (user, item) pairs with exported <see cref="NeuralWeights"/> faster than the
/// network itself, for the held-out ranking (every user x every item) and the blend: the first
/// layer's product with concat(e_u, e_i) splits into W₁ᵤ e_u + W₁ᵢ e_i, computed once per user
/// and per item rather than once per pair, and the last layer's GMF weights are folded into the
/// user's GMF factors. The same function as <see cref="NeuralTrainer.PredictWithTorch(NeuralWeights, ReadOnlySpan{int}, ReadOnlySpan{int})"/>
/// up to float rounding (summation order); that stays the reference the ONNX graph is checked against.
/// </summary>
public sealed class NeuralPairScorer
{
    // Pairs per libtorch call: large enough that per-call overhead is small, small enough that
    // the [pairs x hidden] intermediates stay in the allocator's heap (a 262k-pair call made
    // 67 MB tensors, mapped and unmapped by the kernel each time: page faults cost more than the math).
    private const int Chunk = 8192;

    private readonly int userCount;
    private readonly int itemCount;
    private readonly Tensor userFirst;    // [users x h1]: W₁ᵤ e_u
    private readonly Tensor itemFirst;    // [items x h1]: W₁ᵢ e_i + b₁
    private readonly (Tensor Weight, Tensor Bias)[] middle;
    private readonly Tensor lastWeight;   // [h]: the last layer's weights on the MLP's output
    private readonly Tensor? userGmf;     // [users x g]: GMF factors times the last layer's GMF weights
    private readonly Tensor? itemGmf;     // [items x g]
    private readonly Tensor userBias;     // [users]: b_u (zeros without biases)
    private readonly Tensor itemBias;     // [items]
    private readonly Tensor constant;     // 0-d: last layer's bias + mean

    public NeuralPairScorer(NeuralWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Layers.Count < 2)
        {
            throw new ArgumentException("The split first layer needs at least one hidden layer.", nameof(weights));
        }

        userCount = weights.UserCount;
        itemCount = weights.ItemCount;
        var d = weights.EmbeddingDim;
        var first = weights.Layers[0];
        userFirst = Project(weights.UserEmbedding, weights.UserCount, d, first, 0, null);
        itemFirst = Project(weights.ItemEmbedding, weights.ItemCount, d, first, d, first.Bias);
        middle = [.. weights.Layers.Skip(1).SkipLast(1).Select(l => (torch.tensor(l.Weight, [l.OutputSize, l.InputSize]), torch.tensor(l.Bias)))];
        var last = weights.Layers[^1];
        var gmf = weights.Gmf?.Dim ?? 0;
        var hidden = last.InputSize - gmf;
        lastWeight = torch.tensor(last.Weight.AsSpan(0, hidden).ToArray());
        if (weights.Gmf is { } branch)
        {
            userGmf = torch.tensor(Scaled(branch.UserFactors, weights.UserCount, gmf, last.Weight.AsSpan(hidden, gmf)), [weights.UserCount, gmf]);
            itemGmf = torch.tensor(branch.ItemFactors, [weights.ItemCount, gmf]);
        }

        userBias = torch.tensor(weights.Biases?.User ?? new float[weights.UserCount]);
        itemBias = torch.tensor(weights.Biases?.Item ?? new float[weights.ItemCount]);
        constant = torch.tensor(last.Bias[0] + (weights.Biases?.GlobalMean ?? 0f));
    }

    /// <summary>Unclipped predicted ratings of the pairs into <paramref name="scores"/>.</summary>
    public void Score(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> scores)
    {
        if (users.Length != items.Length || scores.Length < users.Length)
        {
            throw new ArgumentException($"Got {users.Length} users, {items.Length} items and room for {scores.Length} scores.");
        }

        NeuralRatingModel.CheckIndices(users, userCount, "User");
        NeuralRatingModel.CheckIndices(items, itemCount, "Item");
        var u = new long[users.Length];
        var i = new long[items.Length];
        for (var k = 0; k < u.Length; k++)
        {
            u[k] = users[k];
            i[k] = items[k];
        }

        // One intra-op thread, as everywhere in training (see PredictWithTorch).
        using var gate = TorchGate.Enter();
        var previousThreads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            using var noGc = NoGcRegion.Enter();
            using var noGrad = torch.no_grad();
            for (var start = 0; start < u.Length; start += Chunk)
            {
                var n = Math.Min(Chunk, u.Length - start);
                ScoreChunk(u.AsSpan(start, n), i.AsSpan(start, n), scores.Slice(start, n));
            }
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    private void ScoreChunk(ReadOnlySpan<long> users, ReadOnlySpan<long> items, Span<float> scores)
    {
        using var scope = torch.NewDisposeScope();
        var ut = torch.tensor(users.ToArray());
        var it = torch.tensor(items.ToArray());
        var x = (userFirst.index_select(0, ut) + itemFirst.index_select(0, it)).relu_();
        foreach (var (weight, bias) in middle)
        {
            x = nn.functional.linear(x, weight, bias).relu_();
        }

        var output = x.matmul(lastWeight);
        if (userGmf is not null)
        {
            output = output + (userGmf.index_select(0, ut) * itemGmf!.index_select(0, it)).sum(1);
        }

        output = output + constant + userBias.index_select(0, ut) + itemBias.index_select(0, it);
        output.data<float>().CopyTo(scores);
    }

    /// <summary>rows [count x d] times the first layer's columns [from, from + d), transposed, plus an optional bias.</summary>
    private static Tensor Project(float[] rows, int count, int d, DenseLayer first, int from, float[]? bias)
    {
        var result = new float[count * first.OutputSize];
        for (var r = 0; r < count; r++)
        {
            var row = rows.AsSpan(r * d, d);
            for (var o = 0; o < first.OutputSize; o++)
            {
                var sum = System.Numerics.Tensors.TensorPrimitives.Dot(row, first.Weight.AsSpan((o * first.InputSize) + from, d));
                result[(r * first.OutputSize) + o] = sum + (bias?[o] ?? 0f);
            }
        }

        return torch.tensor(result, [count, first.OutputSize]);
    }

    private static float[] Scaled(float[] factors, int count, int dim, ReadOnlySpan<float> scale)
    {
        var result = new float[factors.Length];
        for (var r = 0; r < count; r++)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(factors.AsSpan(r * dim, dim), scale, result.AsSpan(r * dim, dim));
        }

        return result;
    }
}
