using Microsoft.ML.OnnxRuntime;
using Recommender.Models.Mf;
using Recommender.Models.Onnx;

namespace Recommender.Models.Tests;

public sealed class OnnxMfExporterTests
{
    private static readonly Dictionary<string, string> Metadata = new()
    {
        [OnnxMetadataKeys.ModelName] = "movielens-mf",
        [OnnxMetadataKeys.ModelVersion] = "7",
        [OnnxMetadataKeys.IdMapFingerprint] = "sha256:def456",
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Pair_graph_matches_raw_scores(bool biased)
    {
        var model = OnnxTestSupport.RandomMf(seed: 11, biased);
        using var session = OnnxTestSupport.CpuSession(MfOnnxExporter.ExportPair(model, Metadata));
        var (users, items) = OnnxTestSupport.RandomPairs(seed: 12, 10_000, model.UserCount, model.ItemCount);

        var actual = OnnxTestSupport.RunPairs(session, users, items, OnnxNames.Rating);

        for (var n = 0; n < users.Length; n++)
        {
            var expected = model.RawScore((int)users[n], (int)items[n]);
            Assert.True(Math.Abs(expected - actual[n]) <= 1e-5f * Math.Max(1f, Math.Abs(expected)),
                $"pair {n}: expected {expected}, got {actual[n]}");
        }
    }

    [Fact]
    public void Pair_graph_is_unclipped()
    {
        var model = OnnxTestSupport.RandomMf(seed: 13, biased: true, factors: 40);
        using var session = OnnxTestSupport.CpuSession(MfOnnxExporter.ExportPair(model, Metadata));
        var (users, items) = OnnxTestSupport.RandomPairs(seed: 14, 2_000, model.UserCount, model.ItemCount);

        var actual = OnnxTestSupport.RunPairs(session, users, items, OnnxNames.Rating);

        Assert.Contains(actual, score => score < model.MinRating || score > model.MaxRating);
    }

    [Theory]
    [InlineData(false, 10)]
    [InlineData(true, 10)]
    [InlineData(true, 100)]
    public void Top_k_graph_agrees_with_a_managed_top_n(bool biased, int k)
    {
        var model = OnnxTestSupport.RandomMf(seed: 15, biased);
        using var session = OnnxTestSupport.CpuSession(MfOnnxExporter.ExportTopK(model, Metadata));
        long[] users = [0, 1, 42, 500, model.UserCount - 1];

        var (scores, indices) = RunTopK(session, users, k);

        Assert.Equal(users.Length * k, scores.Length);
        for (var b = 0; b < users.Length; b++)
        {
            var user = (int)users[b];
            var all = Enumerable.Range(0, model.ItemCount).Select(i => model.RawScore(user, i)).ToArray();
            var expected = all.Order().Reverse().Take(k).ToArray();
            for (var r = 0; r < k; r++)
            {
                var item = (int)indices[b * k + r];
                var score = scores[b * k + r];
                // Rank by rank, the score must equal the managed k-th best (robust to ties and
                // tiny summation-order differences), and the index must really carry that score.
                Assert.True(Math.Abs(expected[r] - score) <= 1e-5f * Math.Max(1f, Math.Abs(expected[r])),
                    $"user {user} rank {r}: expected {expected[r]}, got {score}");
                Assert.True(Math.Abs(all[item] - score) <= 1e-5f * Math.Max(1f, Math.Abs(score)),
                    $"user {user} rank {r}: item {item} scores {all[item]}, graph said {score}");
                if (r > 0)
                {
                    Assert.True(scores[b * k + r - 1] >= score, "scores must be sorted best first");
                }
            }

            Assert.Equal(k, indices.Skip(b * k).Take(k).Distinct().Count());
        }
    }

    [Fact]
    public void Top_k_graph_declares_its_shapes()
    {
        var model = OnnxTestSupport.RandomMf(seed: 16, biased: false, users: 5, items: 9, factors: 3);
        using var session = OnnxTestSupport.CpuSession(MfOnnxExporter.ExportTopK(model, Metadata));

        Assert.Equal([OnnxNames.UserIds, OnnxNames.K], session.InputNames);
        Assert.Equal([-1], session.InputMetadata[OnnxNames.UserIds].Dimensions);
        Assert.Equal([1], session.InputMetadata[OnnxNames.K].Dimensions);
        Assert.Equal([OnnxNames.Scores, OnnxNames.ItemIndices], session.OutputNames);
        Assert.Equal(typeof(float), session.OutputMetadata[OnnxNames.Scores].ElementType);
        Assert.Equal(typeof(long), session.OutputMetadata[OnnxNames.ItemIndices].ElementType);
        Assert.Equal(["N", "k"], session.OutputMetadata[OnnxNames.Scores].SymbolicDimensions);
    }

    [Fact]
    public void Top_k_graph_carries_metadata()
    {
        var model = OnnxTestSupport.RandomMf(seed: 17, biased: true, users: 5, items: 9, factors: 3);
        using var session = OnnxTestSupport.CpuSession(MfOnnxExporter.ExportTopK(model, Metadata));
        Assert.Equal("sha256:def456", session.ModelMetadata.CustomMetadataMap[OnnxMetadataKeys.IdMapFingerprint]);
    }

    [Fact]
    public void Top_k_beyond_the_catalog_is_refused_so_serving_must_clamp_it()
    {
        var model = OnnxTestSupport.RandomMf(seed: 18, biased: false, users: 5, items: 9, factors: 3);
        using var session = OnnxTestSupport.CpuSession(MfOnnxExporter.ExportTopK(model, Metadata));

        var (_, all) = RunTopK(session, [0], model.ItemCount);
        Assert.Equal(Enumerable.Range(0, model.ItemCount), all.Select(i => (int)i).Order());
        Assert.ThrowsAny<OnnxRuntimeException>(() => RunTopK(session, [0], model.ItemCount + 1));
    }

    [Fact]
    public void Unknown_dense_index_is_an_error_not_a_garbage_score()
    {
        var model = OnnxTestSupport.RandomMf(seed: 19, biased: true, users: 5, items: 9, factors: 3);
        using var session = OnnxTestSupport.CpuSession(MfOnnxExporter.ExportPair(model, Metadata));

        Assert.ThrowsAny<OnnxRuntimeException>(() => OnnxTestSupport.RunPairs(session, [5], [0], OnnxNames.Rating));
    }

    internal static (float[] Scores, long[] Indices) RunTopK(InferenceSession session, long[] users, int k)
    {
        using var userValue = OrtValue.CreateTensorValueFromMemory(users, [users.Length]);
        using var kValue = OrtValue.CreateTensorValueFromMemory(new long[] { k }, [1]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [OnnxNames.UserIds, OnnxNames.K], [userValue, kValue],
            [OnnxNames.Scores, OnnxNames.ItemIndices]);
        return (results[0].GetTensorDataAsSpan<float>().ToArray(), results[1].GetTensorDataAsSpan<long>().ToArray());
    }
}
