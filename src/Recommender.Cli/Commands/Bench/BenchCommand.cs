using System.CommandLine;
using Recommender.Reporting;

namespace Recommender.Cli.Commands.Bench;

/// <summary>
/// `recommender bench`: drives a running inference service with PredictRatings and Recommend at
/// several sizes and concurrencies, measures the same work in process as the ceiling, and
/// optionally compares dynamic batching on and off.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var address = new Option<string?>("--address") { Description = "gRPC address of a running inference service (http://127.0.0.1:PORT). Without it the bench starts one on --repo." };
        var repo = new Option<string?>("--repo") { Description = "The model repository the service serves: ids from its id maps, the in-process ceiling, child servers." };
        var model = new Option<string>("--model") { Description = "Model kinds to drive: mf, neural, implicit, both (mf and neural) or all.", DefaultValueFactory = _ => "both" };
        model.AcceptOnlyFromAmong("mf", "neural", "implicit", "both", "all");
        var operation = new Option<string>("--operation") { Description = "Which RPCs to drive: predict, recommend, similar (SimilarItems top-10), history (Recommend for a new user from a 20-item history), both (predict and recommend) or all.", DefaultValueFactory = _ => "both" };
        operation.AcceptOnlyFromAmong("predict", "recommend", "similar", "history", "both", "all");
        var modelName = new Option<string?>("--model-name") { Description = "Model name when the service serves several." };
        var duration = new Option<double>("--duration") { Description = "Seconds measured per case.", DefaultValueFactory = _ => 5 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of discarded warm-up per case.", DefaultValueFactory = _ => 3 };
        var maxRequests = new Option<long>("--max-requests") { Description = "Most calls per case (warm-up and measurement each).", DefaultValueFactory = _ => 10_000_000 };
        var channels = new Option<int>("--channels") { Description = "Client channels (HTTP/2 connections) per case; 0: four from concurrency 32, else one.", DefaultValueFactory = _ => 0 };
        var compareBatching = new Option<bool>("--compare-batching") { Description = "Also measure single-pair neural PredictRatings with dynamic batching on and off, on two child servers (needs --repo)." };
        var noCeiling = new Option<bool>("--no-ceiling") { Description = "Skip the in-process ceiling." };
        var concurrency = new Option<string?>("--concurrency") { Description = "Only the served cases at these concurrencies, comma-separated (e.g. 1,8); default every case." };
        var json = new Option<string?>("--json") { Description = "Write every result to this JSON file (input of `recommender report`)." };
        var command = new Command("bench", "Benchmark a running inference service over gRPC against the in-process ceiling.")
        {
            address, repo, model, operation, modelName, duration, warmup, maxRequests, channels, compareBatching, noCeiling, concurrency, json,
        };
        command.SetAction((parse, cancellationToken) => CommandAction.Run(async () =>
        {
            var seconds = parse.GetValue(duration);
            var warmupSeconds = parse.GetValue(warmup);
            if (seconds <= 0 || warmupSeconds < 0 || parse.GetValue(maxRequests) <= 0 || parse.GetValue(channels) < 0)
            {
                throw new ArgumentException("--duration and --max-requests must be positive, --warmup and --channels not negative.");
            }

            var kinds = parse.GetValue(model) switch
            {
                "mf" => new[] { "mf" },
                "neural" => ["neural"],
                "implicit" => ["implicit"],
                "all" => ["mf", "neural", "implicit"],
                _ => ["mf", "neural"],
            };
            var levels = parse.GetValue(concurrency) is { } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(v => int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var c) && c > 0
                        ? c
                        : throw new ArgumentException($"--concurrency: '{v}' is not a positive integer."))
                    .ToArray()
                : null;
            var options = new BenchOptions(parse.GetValue(address), parse.GetValue(repo), parse.GetValue(modelName), kinds,
                TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmupSeconds), parse.GetValue(maxRequests), parse.GetValue(channels),
                parse.GetValue(compareBatching), !parse.GetValue(noCeiling), parse.GetValue(json))
            {
                Concurrencies = levels,
                Operations = parse.GetValue(operation) switch
                {
                    "predict" => [BenchCase.Predict],
                    "recommend" => [BenchCase.Recommend],
                    "similar" => [BenchCase.Similar],
                    "history" => [BenchCase.History],
                    "all" => [BenchCase.Predict, BenchCase.Recommend, BenchCase.Similar, BenchCase.History],
                    _ => [BenchCase.Predict, BenchCase.Recommend],
                },
            };
            if (options.Address is null && options.RepositoryPath is null)
            {
                throw new ArgumentException("Give --address of a running service, or --repo for the bench to start one.");
            }

            var run = await BenchRunner.RunAsync(options, Console.Out, cancellationToken).ConfigureAwait(false);
            if (options.JsonPath is not null)
            {
                await BenchJson.WriteAsync(options.JsonPath, run, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"wrote {options.JsonPath}");
            }

            return 0;
        }));
        return command;
    }
}
