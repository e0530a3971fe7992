using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Recommender.Data;
using Recommender.Serving;

namespace Recommender.Cli.Commands;

/// <summary>
/// `recommender evaluate`: held-out RMSE/MAE and ranking metrics of a published version on a
/// dataset split, scored by the same code the inference service runs (ONNX Runtime for neural).
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var flags = new ModelFlags();
        var data = new Option<string>("--data") { Description = "Dataset folder.", Required = true };
        var split = new Option<string>("--split") { Description = "Split whose test part is evaluated (use the training split).", DefaultValueFactory = _ => "random:0.2" };
        var seed = new Option<int>("--seed") { Description = "Split seed (as in training).", DefaultValueFactory = _ => 42 };
        var k = new Option<int>("--k") { Description = "Cut-off of the ranking metrics.", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("evaluate", "Evaluate a published model version on a held-out split.") { data, split, seed, k, json };
        flags.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandAction.Run(() =>
        {
            var (model, registry, _) = OfflineModel.Load(parse.GetValue(flags.Repo)!, parse.GetValue(flags.Name), parse.GetValue(flags.Version));
            try
            {
                var kind = flags.ServedKind(parse, model);
                var scorer = model.Kind(kind)?.Ratings
                    ?? throw new ArgumentException($"Version {model.Version} has no {kind.ToString().ToLowerInvariant()} model that predicts ratings.");
                var dataset = DatasetLoader.Load(parse.GetValue(data)!, cancellationToken);
                var parts = DatasetSplitter.Split(dataset, SplitSpec.Parse(parse.GetValue(split)!), parse.GetValue(seed), cancellationToken);
                var set = TrainingSet.Build(parts, model.Ids.Users, model.Ids.Items);
                var report = HeldOutEvaluator.Evaluate(set, Adapt(scorer), model.MinRating, model.MaxRating, model.FallbackRating,
                    parse.GetValue(k), cancellationToken: cancellationToken);
                Print(parse.GetValue(json), model, kind, report);
                return Task.FromResult(0);
            }
            finally
            {
                registry.Clear();
            }
        }));
        return command;
    }

    /// <summary>Pairs per scorer call: the evaluator hands over up to 262 k, and a graph's [N, factors] intermediates would then take gigabytes.</summary>
    private const int Slice = 8192;

    /// <summary>The evaluator speaks int indices; the scorers take the int64 the ONNX graphs need.</summary>
    private static PairScorer Adapt(IPairScorer scorer) => (users, items, scores) =>
    {
        var u = new long[Math.Min(Slice, users.Length)];
        var i = new long[u.Length];
        for (var start = 0; start < users.Length; start += Slice)
        {
            var length = Math.Min(Slice, users.Length - start);
            for (var p = 0; p < length; p++)
            {
                u[p] = users[start + p];
                i[p] = items[start + p];
            }

            scorer.Score(u.AsSpan(0, length), i.AsSpan(0, length), scores.Slice(start, length));
        }
    };

    private static void Print(bool json, ServableModel model, ServedKind kind, EvaluationReport report)
    {
        var r = report.Ranking;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["model"] = model.Name,
                ["version"] = model.Version,
                ["kind"] = kind.ToString().ToLowerInvariant(),
                ["testRatings"] = report.TestRatings,
                ["coldRatings"] = report.ColdRatings,
                ["rmse"] = report.Rmse,
                ["mae"] = report.Mae,
                ["k"] = r.K,
                ["precisionAtK"] = r.PrecisionAtK,
                ["recallAtK"] = r.RecallAtK,
                ["ndcgAtK"] = r.NdcgAtK,
                ["mapAtK"] = r.MapAtK,
                ["catalogCoverage"] = r.CatalogCoverage,
                ["usersRanked"] = r.UsersEvaluated,
            }));
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{model.Name} v{model.Version} {kind.ToString().ToLowerInvariant()}: RMSE {report.Rmse:F4}  MAE {report.Mae:F4} over {report.TestRatings:N0} test ratings ({report.ColdRatings:N0} cold)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ranking @{r.K} over {r.UsersEvaluated:N0} users: precision {r.PrecisionAtK:F4}  recall {r.RecallAtK:F4}  NDCG {r.NdcgAtK:F4}  MAP {r.MapAtK:F4}  coverage {r.CatalogCoverage:P1}"));
    }
}
