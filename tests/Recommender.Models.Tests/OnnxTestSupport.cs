using Microsoft.ML.OnnxRuntime;
using Recommender.Models.Mf;
using Recommender.Models.Neural;

namespace Recommender.Models.Tests;

/// <summary>Random weights and a thin ONNX Runtime wrapper shared by the ONNX export tests.</summary>
internal static class OnnxTestSupport
{
    public static float[] RandomArray(Random random, int length, float scale)
    {
        var values = new float[length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        }

        return values;
    }

    /// <summary>The seed's shape by default: embeddings concatenated, MLP 64 → 32 → 1.</summary>
    public static NeuralWeights RandomNeural(int seed, int users = 943, int items = 1682, int dim = 32, params int[] hidden)
    {
        var random = new Random(seed);
        if (hidden.Length == 0)
        {
            hidden = [64, 32];
        }

        var layers = new List<DenseLayer>();
        var width = 2 * dim;
        foreach (var size in hidden.Append(1))
        {
            var last = layers.Count == hidden.Length;
            layers.Add(new DenseLayer(width, size, RandomArray(random, size * width, 1f / MathF.Sqrt(width)),
                RandomArray(random, size, 0.1f), Relu: !last));
            width = size;
        }

        return new NeuralWeights(users, items, dim, RandomArray(random, users * dim, 1f),
            RandomArray(random, items * dim, 1f), layers);
    }

    /// <summary>NeuMF's shape: the MLP's last layer also takes a GMF product of <paramref name="gmfDim"/>; output biases.</summary>
    public static NeuralWeights RandomNeuMf(int seed, int users, int items, int dim, int gmfDim, params int[] hidden)
    {
        var random = new Random(seed);
        var layers = new List<DenseLayer>();
        var width = 2 * dim;
        foreach (var size in hidden.Append(1))
        {
            var last = layers.Count == hidden.Length;
            var inputs = last ? width + gmfDim : width;
            layers.Add(new DenseLayer(inputs, size, RandomArray(random, size * inputs, 1f / MathF.Sqrt(inputs)),
                RandomArray(random, size, 0.1f), Relu: !last));
            width = size;
        }

        return new NeuralWeights(users, items, dim, RandomArray(random, users * dim, 1f), RandomArray(random, items * dim, 1f), layers)
        {
            Gmf = new GmfBranch(gmfDim, RandomArray(random, users * gmfDim, 1f), RandomArray(random, items * gmfDim, 1f)),
            Biases = new OutputBiases(3.5f, RandomArray(random, users, 0.3f), RandomArray(random, items, 0.3f)),
        };
    }

    public static MfModel RandomMf(int seed, bool biased, int users = 943, int items = 1682, int factors = 15)
    {
        var random = new Random(seed);
        var biases = biased
            ? new MfBiases(3.53f, RandomArray(random, users, 0.5f), RandomArray(random, items, 0.5f))
            : null;
        return new MfModel(users, items, factors, RandomArray(random, users * factors, 0.7f),
            RandomArray(random, items * factors, 0.7f), biases);
    }

    public static InferenceSession CpuSession(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        return new InferenceSession(model, options);
    }

    /// <summary>Runs a two-column pair graph and returns its float [N] output.</summary>
    public static float[] RunPairs(InferenceSession session, long[] users, long[] items, string output)
    {
        using var userValue = OrtValue.CreateTensorValueFromMemory(users, [users.Length]);
        using var itemValue = OrtValue.CreateTensorValueFromMemory(items, [items.Length]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["user_ids", "item_ids"], [userValue, itemValue], [output]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public static (long[] Users, long[] Items) RandomPairs(int seed, int count, int users, int items)
    {
        var random = new Random(seed);
        var u = new long[count];
        var i = new long[count];
        for (var n = 0; n < count; n++)
        {
            u[n] = random.Next(users);
            i[n] = random.Next(items);
        }

        return (u, i);
    }
}
