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
            Assert.Equal(["N"], input.SymbolicDimensions);
        });
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
    private static float Reference(NeuralWeights weights, int user, int item)
    {
        var d = weights.EmbeddingDim;
        var x = new float[2 * d];
        Array.Copy(weights.UserEmbedding, user * d, x, 0, d);
        Array.Copy(weights.ItemEmbedding, item * d, x, d, d);
        foreach (var layer in weights.Layers)
        {
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

        return x[0];
    }
}
