using Grpc.Core;
using Recommender.Contracts.V1;

namespace Recommender.TrainerService.Tests;

public sealed class HyperParameterBoundsTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "mf.factors=100000", "mf.factors: 100000 exceeds the limit of 1024" },
        { "mf.factors=-1", "mf.factors: -1 is negative" },
        { "mf.epochs=5000", "mf.epochs: 5000 exceeds the limit of 1000" },
        { "mf.learning_rate=nan", "mf.learning_rate:" },
        { "mf.regularization=-0.5", "mf.regularization:" },
        { "mf.seed=big", "mf.seed:" },
        { "neural.embedding_dim=5000", "neural.embedding_dim: 5000 exceeds the limit of 1024" },
        { "neural.hidden=9layers", "neural.hidden_sizes: 9 layers exceed the limit of 8" },
        { "neural.hidden=huge", "neural.hidden_sizes[1]: 100000 exceeds the limit of 4096" },
        { "neural.batch_size=huge", "neural.batch_size:" },
        { "neural.dropout=1.5", "neural.dropout:" },
        { "neural.epochs=2000", "neural.epochs: 2000 exceeds the limit of 1000" },
        { "synthetic.ratings=huge", "dataset.synthetic.ratings: 40000000 exceeds the limit of 30000000" },
        { "synthetic.users=0", "dataset.synthetic.users:" },
        { "synthetic.dense", "dataset.synthetic.ratings: 3000 is more than half" },
        { "movielens=ml-nope", "dataset.movielens: unknown dataset 'ml-nope'" },
        { "dataset=none", "dataset: set exactly one" },
        { "models=none", "mf: nothing to train" },
        { "model_name=Bad/Name", "model_name: 'Bad/Name' is invalid" },
        { "split=sideways", "split:" },
        { "neural.architecture=9", "neural.architecture:" },
        { "neural.embedding_updates=7", "neural.embedding_updates:" },
        { "validation_fraction=0.9", "validation_fraction: 0.9 is not in [0, 0.5]" },
        { "blend+split=none", "blend: the blend is fitted on a validation part" },
        { "blend+implicit only", "blend: the blend combines rating models" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Out_of_bounds_requests_are_invalid_arguments_naming_the_field(string change, string expected)
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"));
        var request = Requests.Tiny();
        Apply(request, change);

        var error = await Assert.ThrowsAsync<RpcException>(() => server.StartAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(expected, error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await server.Client.ListTrainingJobsAsync(new ListTrainingJobsRequest())).Jobs);
    }

    private static void Apply(StartTrainingRequest request, string change)
    {
        switch (change)
        {
            case "mf.factors=100000": request.Mf.Factors = 100_000; break;
            case "neural.architecture=9": request.Neural.Architecture = (NeuralArchitecture)9; break;
            case "neural.embedding_updates=7": request.Neural.EmbeddingUpdates = (EmbeddingUpdates)7; break;
            case "validation_fraction=0.9": request.ValidationFraction = 0.9f; break;
            case "blend+split=none": request.Blend = new BlendParameters(); request.Split = "none"; break;
            case "blend+implicit only": request.Blend = new BlendParameters(); request.Mf = null; request.Neural = null; request.Implicit = new ImplicitParameters(); break;
            case "mf.factors=-1": request.Mf.Factors = -1; break;
            case "mf.epochs=5000": request.Mf.Epochs = 5000; break;
            case "mf.learning_rate=nan": request.Mf.LearningRate = float.NaN; break;
            case "mf.regularization=-0.5": request.Mf.Regularization = -0.5f; break;
            case "mf.seed=big": request.Mf.Seed = long.MaxValue; break;
            case "neural.embedding_dim=5000": request.Neural.EmbeddingDim = 5000; break;
            case "neural.hidden=9layers": request.Neural.HiddenSizes.Clear(); request.Neural.HiddenSizes.AddRange(Enumerable.Repeat(4, 9)); break;
            case "neural.hidden=huge": request.Neural.HiddenSizes.Clear(); request.Neural.HiddenSizes.Add(8); request.Neural.HiddenSizes.Add(100_000); break;
            case "neural.batch_size=huge": request.Neural.BatchSize = int.MaxValue; break;
            case "neural.dropout=1.5": request.Neural.Dropout = 1.5f; break;
            case "neural.epochs=2000": request.Neural.Epochs = 2000; break;
            case "synthetic.ratings=huge": request.Dataset.Synthetic = new SyntheticDataset { Users = 100_000, Items = 100_000, Ratings = 40_000_000 }; break;
            case "synthetic.users=0": request.Dataset.Synthetic.Users = 0; break;
            case "synthetic.dense": request.Dataset.Synthetic = new SyntheticDataset { Users = 50, Items = 50, Ratings = 3000 }; break;
            case "movielens=ml-nope": request.Dataset = new DatasetSource { Movielens = "ml-nope" }; break;
            case "dataset=none": request.Dataset = null; break;
            case "models=none": request.Mf = null; request.Neural = null; break;
            case "model_name=Bad/Name": request.ModelName = "Bad/Name"; break;
            case "split=sideways": request.Split = "sideways"; break;
            default: throw new ArgumentException(change);
        }
    }
}
