using System.CommandLine;
using Recommender.Cli.Commands;
using Recommender.Data;
using Recommender.Models.Repository;

namespace Recommender.Cli.Tests;

/// <summary>`train neural --embedding-updates`: parsed, applied, and recorded in the manifest as the mode used.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class TrainNeuralEmbeddingUpdatesTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("recommender-embedding-updates-").FullName;

    public TrainNeuralEmbeddingUpdatesTests() =>
        new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 40, Items = 60, Ratings = 1200, Seed = 2 }).Generate(Data);

    private string Data => Path.Combine(root, "data");

    private string Models => Path.Combine(root, "models");

    [Fact]
    public async Task Lazy_is_recorded_when_asked_and_auto_stays_dense_on_a_small_catalog()
    {
        Assert.Equal(0, await TrainAsync("lazy", "--embedding-updates", "lazy"));
        Assert.Equal(0, await TrainAsync("auto"));
        Assert.Equal(0, await TrainAsync("dense", "--embedding-updates", "dense"));

        var repository = new ModelRepository(Models, TimeProvider.System);
        Assert.Equal("lazy", repository.OpenVersion("lazy", 1).Manifest.HyperParameters["neural.embedding_updates"]);
        Assert.Equal("dense", repository.OpenVersion("auto", 1).Manifest.HyperParameters["neural.embedding_updates"]);
        Assert.Equal("dense", repository.OpenVersion("dense", 1).Manifest.HyperParameters["neural.embedding_updates"]);
    }

    [Fact]
    public async Task An_unknown_mode_is_refused()
    {
        var error = new StringWriter();
        var oldError = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.NotEqual(0, await TrainAsync("bad", "--embedding-updates", "sparse"));
        }
        finally
        {
            Console.SetError(oldError);
        }

        Assert.Contains("sparse", error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Models, "bad")));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    private async Task<int> TrainAsync(string name, params string[] flags)
    {
        var command = new RootCommand { TrainCommands.Create() };
        var output = new StringWriter();
        var oldOut = Console.Out;
        Console.SetOut(output);
        try
        {
            return await command.Parse([
                "train", "neural", "--data", Data, "--repo", Models, "--name", name, "--split", "random:0.2",
                "--arch", "seed", "--epochs", "1", .. flags,
            ]).InvokeAsync().WaitAsync(TimeSpan.FromSeconds(120));
        }
        finally
        {
            Console.SetOut(oldOut);
        }
    }
}
