using Google.Protobuf;
using Recommender.Models.Neural;
using Recommender.Models.Onnx;

namespace Recommender.Models.Tests;

public sealed class OnnxNeuralExporterTests
{
    private static readonly Dictionary<string, string> Metadata = new()
    {
        [OnnxMetadataKeys.ModelName] = "movielens-neural",
        [OnnxMetadataKeys.ModelVersion] = "3",
        [OnnxMetadataKeys.IdMapFingerprint] = "sha256:abc123",
    };

    [Fact]
    public void Onnx_runtime_output_matches_plain_loops_over_the_weights()
    {
        var weights = OnnxTestSupport.RandomNeural(seed: 1);
        using var session = OnnxTestSupport.CpuSession(NeuralOnnxExporter.Export(weights, Metadata));
        var (users, items) = OnnxTestSupport.RandomPairs(seed: 2, 10_000, weights.UserCount, weights.ItemCount);

        var actual = OnnxTestSupport.RunPairs(session, users, items, OnnxNames.Rating);

        Assert.Equal(users.Length, actual.Length);
        for (var n = 0; n < users.Length; n++)
        {
            var expected = Reference(weights, (int)users[n], (int)items[n]);
            Assert.True(Math.Abs(expected - actual[n]) <= 1e-5f * Math.Max(1f, Math.Abs(expected)),
                $"pair {n}: expected {expected}, got {actual[n]}");
        }
    }

    [Theory]
    [InlineData(8)] // two layers: the first is split into per-user and per-item parts
    [InlineData(0)] // one layer, which also takes the GMF product: exported unsplit
    public void NeuMf_graph_matches_plain_loops_split_or_not(int hidden)
    {
        var weights = OnnxTestSupport.RandomNeuMf(seed: 5, users: 50, items: 70, dim: 6, gmfDim: 4, hidden > 0 ? [hidden] : []);
        var model = NeuralOnnxExporter.BuildModel(weights, Metadata);
        using var session = OnnxTestSupport.CpuSession(model.ToByteArray());
        var (users, items) = OnnxTestSupport.RandomPairs(seed: 6, 2_000, weights.UserCount, weights.ItemCount);

        var actual = OnnxTestSupport.RunPairs(session, users, items, OnnxNames.Rating);

        for (var n = 0; n < users.Length; n++)
        {
            var expected = Reference(weights, (int)users[n], (int)items[n]);
            Assert.True(Math.Abs(expected - actual[n]) <= 1e-5f * Math.Max(1f, Math.Abs(expected)),
                $"pair {n}: expected {expected}, got {actual[n]}");
        }

        var tables = model.Graph.Initializer.Select(tensor => tensor.Name).ToHashSet();
        Assert.Equal(hidden > 0, tables.Contains("dense0_user_part") && tables.Contains("dense0_item_part"));
        Assert.Equal(hidden == 0, tables.Contains("user_embedding") && tables.Contains("item_embedding"));
    }

    [Fact]
    public void Split_first_layer_leaves_no_first_layer_product_per_pair()
    {
        var weights = OnnxTestSupport.RandomNeural(seed: 7, users: 20, items: 30, dim: 4, 16, 8);

        var graph = NeuralOnnxExporter.BuildModel(weights, Metadata).Graph;

        // The seed's 3 layers: only the last two multiply; the first is two gathers and an add.
        Assert.Equal(2, graph.Node.Count(node => node.OpType is "MatMul" or "Gemm"));
        Assert.DoesNotContain(graph.Node, node => node.OpType == "Concat");
        var userPart = graph.Initializer.Single(tensor => tensor.Name == "dense0_user_part");
        Assert.Equal([1L, 20L, 16L], userPart.Dims);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void An_ensemble_is_one_stacked_network_whose_average_matches_its_members(int members)
    {
        var nets = Enumerable.Range(0, members).Select(m => OnnxTestSupport.RandomNeuMf(seed: 30 + m, users: 40, items: 60, dim: 5, gmfDim: 3, 8, 4)).ToArray();
        var model = NeuralOnnxExporter.BuildModel(nets, Metadata);
        using var session = OnnxTestSupport.CpuSession(model.ToByteArray());
        var (users, items) = OnnxTestSupport.RandomPairs(seed: 31, 1_000, 40, 60);

        var actual = OnnxTestSupport.RunPairs(session, users, items, OnnxNames.Rating);

        for (var n = 0; n < users.Length; n++)
        {
            var expected = nets.Average(w => (double)Reference(w, (int)users[n], (int)items[n]));
            Assert.True(Math.Abs(expected - actual[n]) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"pair {n}: expected {expected}, got {actual[n]}");
        }

        // Every member in the same nodes: one MatMul per layer after the first, whatever the count.
        Assert.Equal(2, model.Graph.Node.Count(node => node.OpType == "MatMul"));
        Assert.Equal([members, 40L, 8L], model.Graph.Initializer.Single(t => t.Name == "dense0_user_part").Dims);
    }

    [Fact]
    public void Output_is_not_clipped_to_the_rating_range()
    {
        // Large embeddings push raw outputs far outside 1..5; the graph must pass them through.
        var weights = OnnxTestSupport.RandomNeural(seed: 3, users: 20, items: 30, dim: 8, 16);
        for (var i = 0; i < weights.UserEmbedding.Length; i++)
        {
            weights.UserEmbedding[i] *= 50;
        }

        using var session = OnnxTestSupport.CpuSession(NeuralOnnxExporter.Export(weights, Metadata));
        var (users, items) = OnnxTestSupport.RandomPairs(seed: 4, 600, weights.UserCount, weights.ItemCount);
        var actual = OnnxTestSupport.RunPairs(session, users, items, OnnxNames.Rating);

        Assert.Contains(actual, score => score is < 1f or > 5f);
        for (var n = 0; n < users.Length; n++)
        {
            var expected = Reference(weights, (int)users[n], (int)items[n]);
            Assert.True(Math.Abs(expected - actual[n]) <= 1e-5f * Math.Max(1f, Math.Abs(expected)));
        }
    }

    [Fact]
    public void Graph_declares_dense_id_inputs_and_a_batch_of_ratings()
    {
        var weights = OnnxTestSupport.RandomNeural(seed: 5, users: 10, items: 12, dim: 4, 8);
        using var session = OnnxTestSupport.CpuSession(NeuralOnnxExporter.Export(weights, Metadata));

        Assert.Equal([OnnxNames.UserIds, OnnxNames.ItemIds], session.InputNames);
        Assert.All(session.InputMetadata.Values, input =>
        {
            Assert.Equal(typeof(long), input.ElementType);
            Assert.Equal([-1], input.Dimensions);
        });
        Assert.All(session.InputMetadata.Values, input => Assert.Equal(["N"], input.SymbolicDimensions));
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal(OnnxNames.Rating, output.Key);
        Assert.Equal(typeof(float), output.Value.ElementType);
        Assert.Equal([-1], output.Value.Dimensions);
    }

    [Fact]
    public void Metadata_props_reach_onnx_runtime()
    {
        var weights = OnnxTestSupport.RandomNeural(seed: 6, users: 10, items: 12, dim: 4, 8);
        using var session = OnnxTestSupport.CpuSession(NeuralOnnxExporter.Export(weights, Metadata));

        var metadata = session.ModelMetadata;
        Assert.Equal(OnnxModelWriter.ProducerName, metadata.ProducerName);
        foreach (var (key, value) in Metadata)
        {
            Assert.Equal(value, metadata.CustomMetadataMap[key]);
        }
    }

    [Fact]
    public void Export_is_deterministic()
    {
        var weights = OnnxTestSupport.RandomNeural(seed: 7, users: 10, items: 12, dim: 4, 8);
        Assert.Equal(NeuralOnnxExporter.Export(weights, Metadata), NeuralOnnxExporter.Export(weights, Metadata));
    }

    [Fact]
    public void Mismatched_layer_chain_is_refused_before_writing()
    {
        var good = OnnxTestSupport.RandomNeural(seed: 8, users: 10, items: 12, dim: 4, 8);
        var broken = good with { Layers = [good.Layers[1], good.Layers[0]] };
        Assert.Throws<ArgumentException>(() => NeuralOnnxExporter.Export(broken, Metadata));
    }

    [Fact]
    public void Export_to_file_writes_the_same_bytes()
    {
        var weights = OnnxTestSupport.RandomNeural(seed: 9, users: 10, items: 12, dim: 4, 8);
        var path = Path.Combine(Path.GetTempPath(), $"neural-{Guid.NewGuid():N}.onnx");
        try
        {
            NeuralOnnxExporter.ExportToFile(weights, Metadata, path);
            Assert.Equal(NeuralOnnxExporter.Export(weights, Metadata), File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    // The model as the trainer defines it, straight from the arrays: no ONNX concept involved.
    /// <summary>The network as written, in double: concat, every layer (NeuMF: the GMF product beside the last), biases.</summary>
    private static float Reference(NeuralWeights weights, int user, int item)
    {
        var d = weights.EmbeddingDim;
        var x = new float[2 * d];
        Array.Copy(weights.UserEmbedding, user * d, x, 0, d);
        Array.Copy(weights.ItemEmbedding, item * d, x, d, d);
        for (var l = 0; l < weights.Layers.Count; l++)
        {
            var layer = weights.Layers[l];
            if (l == weights.Layers.Count - 1 && weights.Gmf is { } gmf)
            {
                var product = Enumerable.Range(0, gmf.Dim).Select(k => gmf.UserFactors[user * gmf.Dim + k] * gmf.ItemFactors[item * gmf.Dim + k]);
                x = [.. x, .. product];
            }

            var y = new float[layer.OutputSize];
            for (var o = 0; o < layer.OutputSize; o++)
            {
                double sum = layer.Bias[o];
                for (var j = 0; j < layer.InputSize; j++)
                {
                    sum += (double)layer.Weight[o * layer.InputSize + j] * x[j];
                }

                y[o] = layer.Relu ? MathF.Max(0f, (float)sum) : (float)sum;
            }

            x = y;
        }

        return weights.Biases is { } biases ? x[0] + biases.GlobalMean + biases.User[user] + biases.Item[item] : x[0];
    }
}
