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
        var ranker = new Option<bool>("--ranker") { Description = "Ranking metrics of the lists the served Recommend ranker writes (e.g. two-stage neural on a large catalog) instead of scoring every pair." };
        var candidates = new Option<int?>("--candidates") { Description = "With --ranker: items the first stage of a two-stage ranker retrieves (Inference:TwoStage:Candidates), on a catalog of any size; 0 ranks the whole catalog." };
        var topNScorer = new Option<MfScorerPreference>("--top-n-scorer")
        {
            Description = "With --ranker: how the dot-product kinds (MF, implicit) rank (Inference:MfScorer), e.g. batched for the shared bfloat16 scan on a catalog of any size.",
            DefaultValueFactory = _ => MfScorerPreference.Auto,
        };
        var command = new Command("evaluate", "Evaluate a published model version on a held-out split.") { data, split, seed, k, json, ranker, candidates, topNScorer };
        flags.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandAction.Run(() =>
        {
            var c = parse.GetValue(candidates);
            var (model, registry, _) = OfflineModel.Load(parse.GetValue(flags.Repo)!, parse.GetValue(flags.Name), parse.GetValue(flags.Version), options =>
            {
                options.MfScorer = parse.GetValue(topNScorer);
                options.TwoStage.Enabled = c is not 0;
                if (c is > 0)
                {
                    // An explicit C measures the two-stage list whatever the catalog size.
                    options.TwoStage.Candidates = c.Value;
                    options.TwoStage.FromItems = 0;
                }
            });
            try
            {
                var kind = flags.ServedKind(parse, model);
                if (parse.GetValue(ranker))
                {
                    EvaluateRanker(model, kind, parse.GetValue(data)!, parse.GetValue(split)!, parse.GetValue(seed), parse.GetValue(k), parse.GetValue(json), cancellationToken);
                    return Task.FromResult(0);
                }

                var served = model.Kind(kind);
                var scorer = served?.Ratings
                    ?? throw new ArgumentException($"Version {model.Version} has no {kind.ToString().ToLowerInvariant()} model that predicts ratings.");
                // Test pairs with a user or item that has no training rating: as PredictRatings
                // answers them (the kind's cold rows when it has some, else the training mean).
                var cold = served.ColdRatings is { } coldRatings && model.Bundle.ColdIds is { } coldIds
                    ? ColdIndex.Scorer(Adapt(coldRatings), model.Ids.Users, model.Ids.Items, coldIds.Users, coldIds.Items)
                    : null;
                var dataset = DatasetLoader.Load(parse.GetValue(data)!, cancellationToken);
                var parts = DatasetSplitter.Split(dataset, SplitSpec.Parse(parse.GetValue(split)!), parse.GetValue(seed), cancellationToken);
                var set = TrainingSet.Build(parts, model.Ids.Users, model.Ids.Items);
                var report = HeldOutEvaluator.Evaluate(set, Adapt(scorer), cold, model.MinRating, model.MaxRating, model.FallbackRating,
                    parse.GetValue(k), maxRankingUsers: 1000, seed: 0, RankingMetrics.DefaultRelevanceThreshold, cancellationToken);
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

    /// <summary>Ranking metrics of the served ranker's lists (seen items excluded, as Recommend does), and how long it took per user.</summary>
    private static void EvaluateRanker(ServableModel model, ServedKind kind, string data, string split, int seed, int k, bool json, CancellationToken cancellationToken)
    {
        var ranker = model.Kind(kind)?.Ranker
            ?? throw new ArgumentException($"Version {model.Version} has no {kind.ToString().ToLowerInvariant()} model that ranks the catalog.");
        var dataset = DatasetLoader.Load(data, cancellationToken);
        var parts = DatasetSplitter.Split(dataset, SplitSpec.Parse(split), seed, cancellationToken);
        var set = TrainingSet.Build(parts, model.Ids.Users, model.Ids.Items);
        var mask = new bool[model.Ids.Items.Count];
        var scores = new float[k];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var r = HeldOutEvaluator.EvaluateRanking(set, (user, seen, best) =>
        {
            Array.Clear(mask);
            foreach (var item in seen)
            {
                mask[item] = true;
            }

            return ranker.Rank(user, mask, seen.Count, best, scores.AsSpan(0, best.Length));
        }, k, cancellationToken: cancellationToken);
        var perUser = watch.Elapsed.TotalMilliseconds / Math.Max(1, r.UsersEvaluated);
        if (json)
        {
            var fields = Header(model, kind);
            fields["ranker"] = ranker.Method;
            AddRanking(fields, r);
            fields["msPerUser"] = perUser;
            Console.WriteLine(JsonSerializer.Serialize(fields));
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{model.Name} v{model.Version} {kind.ToString().ToLowerInvariant()} ranker {ranker.Method}: {perUser:F2} ms per user"));
        Console.WriteLine(RankingLine(r));
    }

    private static void Print(bool json, ServableModel model, ServedKind kind, EvaluationReport report)
    {
        var r = report.Ranking;
        if (json)
        {
            var fields = Header(model, kind);
            fields["testRatings"] = report.TestRatings;
            fields["coldRatings"] = report.ColdRatings;
            if (report.ColdRatings > 0)
            {
                fields["coldRmse"] = report.ColdRmse;
            }

            fields["rmse"] = report.Rmse;
            fields["mae"] = report.Mae;
            AddRanking(fields, r);
            Console.WriteLine(JsonSerializer.Serialize(fields));
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{model.Name} v{model.Version} {kind.ToString().ToLowerInvariant()}: RMSE {report.Rmse:F4}  MAE {report.Mae:F4} over {report.TestRatings:N0} test ratings ({report.ColdRatings:N0} cold{(report.ColdRatings > 0 ? $", RMSE {report.ColdRmse:F4}" : "")})"));
        Console.WriteLine(RankingLine(r));
    }

    private static Dictionary<string, object> Header(ServableModel model, ServedKind kind) => new()
    {
        ["model"] = model.Name,
        ["version"] = model.Version,
        ["kind"] = kind.ToString().ToLowerInvariant(),
    };

    private static void AddRanking(Dictionary<string, object> fields, RankingReport r)
    {
        fields["k"] = r.K;
        fields["precisionAtK"] = r.PrecisionAtK;
        fields["recallAtK"] = r.RecallAtK;
        fields["ndcgAtK"] = r.NdcgAtK;
        fields["mapAtK"] = r.MapAtK;
        fields["catalogCoverage"] = r.CatalogCoverage;
        fields["usersRanked"] = r.UsersEvaluated;
    }

    private static string RankingLine(RankingReport r) => string.Create(CultureInfo.InvariantCulture,
        $"ranking @{r.K} over {r.UsersEvaluated:N0} users: precision {r.PrecisionAtK:F4}  recall {r.RecallAtK:F4}  NDCG {r.NdcgAtK:F4}  MAP {r.MapAtK:F4}  coverage {r.CatalogCoverage:P1}");
}
