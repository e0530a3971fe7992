using Recommender.Cli.Commands.Bench;
using Recommender.Reporting;

namespace Recommender.Cli.Tests;

/// <summary>The bench against a real server on loopback: tiny, bounded runs.</summary>
public sealed class BenchTests(PublishedRepositoryFixture repository) : IClassFixture<PublishedRepositoryFixture>
{
    [Fact]
    public async Task One_case_for_one_second_counts_calls_rates_and_latencies()
    {
        await using var server = await LoopbackServer.StartAsync(repository.RepositoryPath);
        using var channel = server.OpenChannel();
        var ids = BenchIds.FromRepository(repository.RepositoryPath, PublishedRepositoryFixture.ModelName, repository.Version);
        var driver = new BenchDriver([channel], ids, PublishedRepositoryFixture.ModelName, ids.Items.Length);

        var result = await driver.RunAsync(new BenchCase(BenchCase.Predict, BenchCase.Neural, 4, 2), 1,
            TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), maxRequests: 1_000_000, CancellationToken.None);

        Assert.Empty(result.Errors);
        // How many calls fit in the second depends on the machine's load: any is enough to check the arithmetic.
        Assert.True(result.Requests > 0, "no call completed in a second");
        // Not shorter than the case; longer only by the calls in flight at its end (slow on a busy machine).
        Assert.InRange(result.Seconds, 0.95, 30);
        Assert.Equal(result.Requests / result.Seconds, result.Qps, 6);
        Assert.Equal(4 * result.Qps, result.PredictionsPerSecond, 6);
        Assert.True(result.Latency.P50Us > 0);
        Assert.True(result.Latency.P50Us <= result.Latency.P90Us && result.Latency.P90Us <= result.Latency.P99Us && result.Latency.P99Us <= result.Latency.MaxUs);
        Assert.Equal((2, 1), (result.Concurrency, result.Channels));
    }

    [Fact]
    public async Task The_call_budget_bounds_a_case_before_its_time()
    {
        await using var server = await LoopbackServer.StartAsync(repository.RepositoryPath);
        using var channel = server.OpenChannel();
        var ids = BenchIds.FromRepository(repository.RepositoryPath, PublishedRepositoryFixture.ModelName, repository.Version);
        var driver = new BenchDriver([channel], ids, PublishedRepositoryFixture.ModelName, ids.Items.Length);

        var result = await driver.RunAsync(new BenchCase(BenchCase.Recommend, BenchCase.Mf, 10, 4), 1,
            TimeSpan.Zero, TimeSpan.FromMinutes(10), maxRequests: 25, CancellationToken.None);

        Assert.Equal(25, result.Requests);
        // Far below the case's 10 minutes on any machine: the budget ended it, not the clock.
        Assert.True(result.Seconds < 300, $"{result.Seconds} s");
        // Recommend scores the whole catalog per call.
        Assert.Equal(result.Qps * ids.Items.Length, result.PredictionsPerSecond, 6);
    }

    [Fact]
    public async Task Every_worker_makes_its_first_call_even_when_the_time_is_already_spent()
    {
        await using var server = await LoopbackServer.StartAsync(repository.RepositoryPath);
        using var channel = server.OpenChannel();
        var ids = BenchIds.FromRepository(repository.RepositoryPath, PublishedRepositoryFixture.ModelName, repository.Version);
        var driver = new BenchDriver([channel], ids, PublishedRepositoryFixture.ModelName, ids.Items.Length);

        // A zero-length case stands for a worker the thread pool started after the case's time ran out.
        var result = await driver.RunAsync(new BenchCase(BenchCase.Predict, BenchCase.Mf, 8, 3), 1,
            TimeSpan.Zero, TimeSpan.Zero, maxRequests: 1_000, CancellationToken.None);

        Assert.Equal(3, result.Requests);
        Assert.True(result.Errors.Count == 0, string.Join(", ", result.Errors.Select(e => $"{e.Key}: {e.Value}")));
    }

    [Fact]
    public async Task Unknown_ids_are_counted_as_errors_by_status()
    {
        await using var server = await LoopbackServer.StartAsync(repository.RepositoryPath);
        using var channel = server.OpenChannel();
        var driver = new BenchDriver([channel], new BenchIds([9_999_999], [1], "unknown"), PublishedRepositoryFixture.ModelName, 90);

        var result = await driver.RunAsync(new BenchCase(BenchCase.Predict, BenchCase.Mf, 1, 1), 1,
            TimeSpan.Zero, TimeSpan.FromSeconds(10), maxRequests: 30, CancellationToken.None);

        Assert.Equal(30, result.Requests);
        Assert.Equal(new Dictionary<string, long> { ["NotFound"] = 30 }, result.Errors);
        Assert.Equal(0, result.Qps);
        Assert.Equal(LatencySummary.Empty, result.Latency);
    }

    [Fact]
    public async Task A_whole_run_drives_every_case_and_the_in_process_ceiling()
    {
        await using var server = await LoopbackServer.StartAsync(repository.RepositoryPath);
        var options = new BenchOptions(server.Address, repository.RepositoryPath, null, ["mf", "neural"],
            Duration: TimeSpan.FromMilliseconds(200), Warmup: TimeSpan.Zero, MaxRequests: 40, Channels: 0,
            CompareBatching: false, Ceiling: true, JsonPath: null);
        using var output = new StringWriter();

        var run = await BenchRunner.RunAsync(options, output, CancellationToken.None);

        Assert.Equal(16, run.Cases.Count);
        Assert.All(run.Cases, c => Assert.Empty(c.Errors));
        Assert.All(run.Cases, c => Assert.True(c.Requests > 0, c.Name));
        Assert.Equal([1, 8, 64, 8, 8, 1, 8, 64], run.Cases.Where(c => c.Model == "mf").Select(c => c.Concurrency));
        Assert.Equal(4, run.Cases.Single(c => c is { Model: "neural", Operation: "predict", Size: 1, Concurrency: 64 }).Channels);
        // Predict at 1, 64, 1024 on two paths and Recommend on the engine, per model.
        Assert.Equal(14, run.Ceiling.Count);
        Assert.All(run.Ceiling, c => Assert.True(c.Calls > 0 && c.PredictionsPerSecond > 0, $"{c.Operation} {c.Model} {c.Size} {c.Path}"));
        Assert.Equal(repository.Version, run.Model.Version);
        Assert.Equal(PublishedRepositoryFixture.ModelName, run.Model.Name);
        Assert.Equal(Environment.ProcessorCount, run.Machine.ProcessorCount);
        Assert.Contains("recommend neural top10", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("targets (issues 4 and 12):", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(run.Cases.Count, BenchJson.Deserialize(BenchJson.Serialize(run)).Cases.Count);
    }

    [Fact]
    public async Task Batching_is_compared_on_two_child_servers_and_a_server_is_started_when_no_address_is_given()
    {
        // The CLI's own assembly sits beside the tests: children run `dotnet recommender.dll inference serve`.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var options = new BenchOptions(null, repository.RepositoryPath, null, ["mf"],
            Duration: TimeSpan.FromSeconds(30), Warmup: TimeSpan.Zero, MaxRequests: 20, Channels: 0,
            CompareBatching: true, Ceiling: false, JsonPath: null)
        {
            ServerCommand = [dotnet, Path.Combine(AppContext.BaseDirectory, "recommender.dll")],
        };
        using var output = new StringWriter();

        // Bounded by the call budget: 20 calls a case, however slow a fresh child's first calls are.
        var run = await BenchRunner.RunAsync(options, output, CancellationToken.None);

        Assert.Contains("started an inference server at http://127.0.0.1:", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(8, run.Cases.Count);
        Assert.All(run.Cases, c => Assert.Empty(c.Errors));
        Assert.Empty(run.Ceiling);
        Assert.Equal([BatchingLabels.On, BatchingLabels.Off, BatchingLabels.On, BatchingLabels.Off, BatchingLabels.On, BatchingLabels.Off],
            run.Batching.Select(b => b.Label));
        Assert.Equal([1, 1, 8, 8, 64, 64], run.Batching.Select(b => b.Concurrency));
        // The budget is split over five alternating slices of 4 calls each.
        Assert.All(run.Batching, b => Assert.Equal((20, 0), (b.Requests, b.Errors.Count)));
        Assert.All(run.Batching, b => Assert.Equal(("predict", "neural", 1), (b.Operation, b.Model, b.Size)));
        Assert.NotNull(TargetCheck.BatchingGain(run, 64));
    }
}
