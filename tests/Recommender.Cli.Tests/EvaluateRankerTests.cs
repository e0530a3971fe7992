using System.CommandLine;
using System.Text.Json;
using Recommender.Cli.Commands;

namespace Recommender.Cli.Tests;

/// <summary>
/// `evaluate --ranker --candidates C` measures the two-stage list on a catalog of any size (the
/// serving default only composes it from 10,000 items), and `--candidates 0` the whole catalog.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class EvaluateRankerTests(PublishedRepositoryFixture repository) : IClassFixture<PublishedRepositoryFixture>
{
    [Fact]
    public async Task Candidates_choose_two_stage_or_the_whole_catalog_on_a_small_catalog()
    {
        var twoStage = await EvaluateAsync("20");
        var method = twoStage.GetProperty("ranker").GetString()!;
        Assert.StartsWith("two-stage(", method, StringComparison.Ordinal);
        Assert.Contains("top 20", method, StringComparison.Ordinal);

        var whole = await EvaluateAsync("0");
        Assert.DoesNotContain("two-stage", whole.GetProperty("ranker").GetString()!, StringComparison.Ordinal);

        foreach (var report in new[] { twoStage, whole })
        {
            Assert.True(report.GetProperty("usersRanked").GetInt32() > 0);
            var ndcg = report.GetProperty("ndcgAtK").GetDouble();
            Assert.InRange(ndcg, 0, 1);
        }
    }

    [Fact]
    public async Task The_top_n_scorer_is_applied_and_the_shared_bfloat16_scan_ranks_as_the_default_does()
    {
        var auto = await EvaluateAsync("0", "mf");
        var batched = await EvaluateAsync("0", "mf", "batched");
        Assert.DoesNotContain("batched", auto.GetProperty("ranker").GetString()!, StringComparison.Ordinal);
        Assert.StartsWith(Serving.BatchedTopNRanker.BatchedMethod, batched.GetProperty("ranker").GetString()!, StringComparison.Ordinal);
        // The scan's bfloat16 candidates are re-scored and checked exact: the same lists, so the same metrics.
        Assert.Equal(auto.GetProperty("ndcgAtK").GetDouble(), batched.GetProperty("ndcgAtK").GetDouble(), 9);
        Assert.Equal(auto.GetProperty("precisionAtK").GetDouble(), batched.GetProperty("precisionAtK").GetDouble(), 9);
    }

    private async Task<JsonElement> EvaluateAsync(string candidates, string model = "neural", string topNScorer = "auto")
    {
        var root = new RootCommand { EvaluateCommand.Create() };
        var output = new StringWriter();
        var oldOut = Console.Out;
        Console.SetOut(output);
        try
        {
            var exit = await root.Parse([
                "evaluate", "--repo", repository.RepositoryPath, "--data", Path.Combine(repository.Root, "data"),
                "--split", "random:0.2", "--model", model, "--ranker", "--candidates", candidates, "--top-n-scorer", topNScorer, "--json",
            ]).InvokeAsync().WaitAsync(TimeSpan.FromSeconds(120));
            Assert.Equal(0, exit);
        }
        finally
        {
            Console.SetOut(oldOut);
        }

        // Console is process-wide: tests of other classes running meanwhile may write lines too.
        var json = output.ToString().Split('\n').Last(line => line.StartsWith("{\"model\"", StringComparison.Ordinal));
        return JsonDocument.Parse(json).RootElement.Clone();
    }
}
