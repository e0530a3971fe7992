using Grpc.Core;
using Recommender.Contracts.V1;
using Recommender.Data;

namespace Recommender.TrainerService.Tests;

/// <summary>
/// Issue 11's battery: a request whose parts are each within their bounds but together ask for
/// more model memory than Trainer:MaxModelBytes is refused, naming the budget: at submission when
/// the request gives the dataset's size, otherwise before training once the dataset is loaded.
/// </summary>
public sealed class ModelBudgetTests
{
    [Theory]
    [InlineData("mf.factors")]
    [InlineData("implicit.factors")]
    [InlineData("neural.embedding_dim")]
    public async Task A_synthetic_request_over_the_budget_is_invalid_at_submission_naming_the_budget(string largest)
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"));
        // Every part is within its own bound (1 M users, 1 M items, 1024 factors or dims).
        var request = new StartTrainingRequest
        {
            ModelName = "huge",
            Dataset = new DatasetSource { Synthetic = new SyntheticDataset { Users = 1_000_000, Items = 1_000_000, Ratings = 1000, Seed = 1 } },
        };
        switch (largest)
        {
            case "mf.factors":
                request.Mf = new MfParameters { Factors = 1024, Epochs = 1 };
                break;
            case "implicit.factors":
                request.Implicit = new ImplicitParameters { Factors = 1024, Epochs = 1 };
                break;
            default:
                request.Neural = new NeuralParameters { EmbeddingDim = 1024, Epochs = 1 };
                break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Client.StartTrainingAsync(request, TrainerServer.Auth(), DateTime.UtcNow.AddSeconds(30)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(largest + ": ", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Trainer:MaxModelBytes", error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await server.Client.ListTrainingJobsAsync(new ListTrainingJobsRequest())).Jobs);
    }

    [Fact]
    public async Task A_folder_dataset_over_the_budget_fails_before_training_naming_the_budget()
    {
        using var temp = new TempFolder();
        var data = temp.Sub("data");
        new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 60, Items = 80, Ratings = 1500 }).Generate(Path.Combine(data, "small"));
        // About 290 kB for 140 users and items at 256 factors; the budget is 100 kB.
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), data, new Dictionary<string, string?> { ["Trainer:MaxModelBytes"] = "100000" });
        var request = Requests.Tiny("budget", neural: false);
        request.Dataset = new DatasetSource { Folder = "small" };
        request.Mf.Factors = 256;

        var events = await server.WatchToEndAsync(await server.StartAsync(request), TimeSpan.FromSeconds(60));

        Assert.Equal(WatchTrainingResponse.EventOneofCase.Failed, events[^1].EventCase);
        Assert.Contains("Trainer:MaxModelBytes", events[^1].Failed.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.EventCase == WatchTrainingResponse.EventOneofCase.Epoch);
        Assert.Empty((await server.Client.ListModelVersionsAsync(new ListModelVersionsRequest())).Versions);
    }
}
