using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Recommender.Cli.Commands;
using Recommender.Hosting;
using Recommender.TrainerService;

namespace Recommender.Cli.Tests;

/// <summary>Console.Out and Console.Error are process-wide: the tests that swap them run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}

/// <summary>`recommender trainer start|watch|jobs|versions|cancel` against a real trainer on loopback.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class TrainerCommandsTests
{
    private const string Token = "cli-test-token";

    [Fact]
    public async Task Start_with_watch_publishes_and_jobs_and_versions_list_it()
    {
        using var temp = new TempFolder();
        await using var trainer = await StartTrainerAsync(temp);

        var start = await RunAsync("trainer", "start", "--address", trainer.Address, "--token", Token, "--name", "cli",
            "--synthetic-users", "40", "--synthetic-items", "30", "--synthetic-ratings", "600", "--models", "mf", "--epochs", "2", "--watch");
        Assert.True(start.Exit == 0, start.ToString());
        Assert.Matches(@"job [0-9a-f]{32} queued", start.Out);
        Assert.Contains("published cli version 1 [Mf]", start.Out, StringComparison.Ordinal);

        var jobs = await RunAsync("trainer", "jobs", "--address", trainer.Address);
        Assert.True(jobs.Exit == 0, jobs.ToString());
        Assert.Contains("succeeded  cli v1", jobs.Out, StringComparison.Ordinal);

        var versions = await RunAsync("trainer", "versions", "--address", trainer.Address, "--name", "cli");
        Assert.True(versions.Exit == 0, versions.ToString());
        Assert.Contains("cli version 1 [Mf]", versions.Out, StringComparison.Ordinal);
        Assert.Contains("mf.rmse=", versions.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_can_ask_for_the_models_and_blend_of_train_all()
    {
        using var temp = new TempFolder();
        await using var trainer = await StartTrainerAsync(temp);

        var start = await RunAsync("trainer", "start", "--address", trainer.Address, "--token", Token, "--name", "all",
            "--synthetic-users", "40", "--synthetic-items", "30", "--synthetic-ratings", "600", "--models", "mf,neural",
            "--variant", "bayesian", "--epochs", "4", "--arch", "neumf", "--nn-epochs", "1", "--embedding-updates", "lazy", "--blend", "--no-autorec", "--watch");

        Assert.True(start.Exit == 0, start.ToString());
        Assert.Contains("published all version 1 [Mf, Neural, Blend]", start.Out, StringComparison.Ordinal);
        // Lazy although the catalog is small (auto would train it dense): the flag reached the trainer.
        var manifest = new Recommender.Models.Repository.ModelRepository(Path.Combine(temp.Path, "models"), TimeProvider.System).OpenVersion("all", 1).Manifest;
        Assert.Equal("lazy", manifest.HyperParameters["neural.embedding_updates"]);
    }

    [Fact]
    public async Task Server_errors_and_a_bad_address_are_one_line_and_exit_code_1()
    {
        using var temp = new TempFolder();
        await using var trainer = await StartTrainerAsync(temp);

        var wrongToken = await RunAsync("trainer", "cancel", "--address", trainer.Address, "--token", "wrong", "--job", "x");
        Assert.Equal(1, wrongToken.Exit);
        Assert.StartsWith("error: PermissionDenied:", wrongToken.Error, StringComparison.Ordinal);

        var unknown = await RunAsync("trainer", "watch", "--address", trainer.Address, "--job", "nope");
        Assert.Equal(1, unknown.Exit);
        Assert.StartsWith("error: NotFound:", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("nope", unknown.Error, StringComparison.Ordinal);

        var badAddress = await RunAsync("trainer", "jobs", "--address", "ftp://127.0.0.1:1");
        Assert.Equal(1, badAddress.Exit);
        Assert.Contains("TrainerAddress must use http, https or dns", badAddress.Error, StringComparison.Ordinal);
    }

    private static async Task<CommandResult> RunAsync(params string[] args)
    {
        var root = new RootCommand { TrainerCommands.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var exit = await root.Parse(args).InvokeAsync().WaitAsync(TimeSpan.FromSeconds(120));
            return new CommandResult(exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    private static async Task<TrainerHost> StartTrainerAsync(TempFolder temp)
    {
        var app = TrainerServiceHost.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Endpoints:BindAddress"] = "127.0.0.1",
            ["Endpoints:GrpcPort"] = "0",
            ["Endpoints:MetricsPort"] = "0",
            ["Endpoints:DrainDelay"] = "00:00:00",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Trainer:RepositoryPath"] = Path.Combine(temp.Path, "models"),
            ["Trainer:DataRoot"] = Path.Combine(temp.Path, "data"),
            ["Trainer:AuthToken"] = Token,
        }));
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new TrainerHost(app, $"http://127.0.0.1:{app.BoundPorts().GrpcPort}");
    }

    private sealed record CommandResult(int Exit, string Out, string Error)
    {
        public override string ToString() => $"exit {Exit}\nstdout:\n{Out}\nstderr:\n{Error}";
    }

    private sealed class TrainerHost(WebApplication app, string address) : IAsyncDisposable
    {
        public string Address { get; } = address;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await app.DisposeAsync();
        }
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("recommender-cli-trainer-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
