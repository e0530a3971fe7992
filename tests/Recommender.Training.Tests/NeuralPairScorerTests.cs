using Recommender.Training.Neural;

namespace Recommender.Training.Tests;

/// <summary>The split-first-layer scorer that evaluation and the blend use, against the network itself.</summary>
public sealed class NeuralPairScorerTests
{
    public static TheoryData<string> Architectures => ["neumf", "neumf-deep", "seed"];

    [Theory]
    [MemberData(nameof(Architectures))]
    public void It_scores_every_pair_as_the_network_does(string architecture)
    {
        var (train, _) = NeuralTestData.Planted(40, 30, 600);
        var options = architecture switch
        {
            "neumf" => NeuralTrainingOptions.NeuMfDefaults with { Epochs = 2, EmbeddingDim = 6, GmfDim = 4, HiddenSizes = [8], SideFeatures = false },
            "neumf-deep" => NeuralTrainingOptions.NeuMfDefaults with { Epochs = 2, EmbeddingDim = 6, GmfDim = 3, HiddenSizes = [8, 5, 4], SideFeatures = false },
            _ => NeuralTrainingOptions.SeedDefaults with { Epochs = 2, EmbeddingDim = 5, HiddenSizes = [7, 3] },
        };
        var weights = NeuralTrainer.Train(train, null, options).Weights;
        var users = new int[40 * 30];
        var items = new int[users.Length];
        for (var n = 0; n < users.Length; n++)
        {
            users[n] = n / 30;
            items[n] = n % 30;
        }

        var expected = NeuralTrainer.PredictWithTorch(weights, users, items);
        var actual = new float[users.Length];
        new NeuralPairScorer(weights).Score(users, items, actual);

        Assert.True(expected.Distinct().Count() > 100, "the network should tell pairs apart");
        for (var n = 0; n < users.Length; n++)
        {
            Assert.True(Math.Abs(expected[n] - actual[n]) < 1e-4, $"pair {n}: network {expected[n]}, scorer {actual[n]}");
        }
    }

    [Fact]
    public void It_refuses_an_index_outside_the_model()
    {
        var (train, _) = NeuralTestData.Planted(10, 8, 60);
        var weights = NeuralTrainer.Train(train, null, NeuralTrainingOptions.NeuMfDefaults with { Epochs = 1, EmbeddingDim = 4, GmfDim = 2, HiddenSizes = [4], SideFeatures = false }).Weights;
        var scorer = new NeuralPairScorer(weights);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Score([0, 10], [1, 2], new float[2]));
        Assert.Contains("User index 10", error.Message, StringComparison.Ordinal);
    }
}
