using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Recommender.Contracts.V1;
using Recommender.Data;
using Recommender.Models.Repository;

namespace Recommender.Cli.Commands;

/// <summary>
/// `recommender demo`: from nothing to recommendations served over gRPC. Uses real MovieLens
/// 100K when it has been downloaded (`recommender data download ml-100k`), else generates the
/// synthetic MovieLens-shaped default; starts the trainer and inference services as real
/// processes on free loopback ports; trains every kind through the trainer's gRPC API; waits for
/// the inference service to pick the version up; calls it (Recommend, SimilarItems, Recommend from
/// a history for a new user, PredictRatings); shuts both down (also on Ctrl-C).
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var work = new Option<string>("--work") { Description = "Working folder (data, model repository).", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "recommender-demo") };
        var data = new Option<string?>("--data") { Description = "Dataset folder to use instead of the default." };
        var users = new Option<long[]>("--users") { Description = "Users to recommend for.", DefaultValueFactory = _ => [] , AllowMultipleArgumentsPerToken = true };
        var command = new Command("demo", "Generate or find data, train both models, serve them over gRPC and call the service.") { work, data, users };
        command.SetAction((parse, cancellationToken) => CommandAction.Run(() =>
            RunAsync(parse.GetValue(work)!, parse.GetValue(data), parse.GetValue(users)!, cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(string work, string? dataFolder, long[] users, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var steps = new DemoSteps(Console.Out);
        var repositoryPath = Path.Combine(work, "models");
        if (Directory.Exists(repositoryPath))
        {
            Directory.Delete(repositoryPath, recursive: true);
        }

        var folder = await steps.RunAsync("data", () => Task.FromResult(FindOrGenerateData(work, dataFolder))).ConfigureAwait(false);

        var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var dataRoot = Path.GetDirectoryName(Path.GetFullPath(folder))!;
        await using var trainer = await steps.RunAsync("start the trainer service", () => ChildService.StartAsync("trainer",
            ["trainer", "serve", $"--Trainer:RepositoryPath={repositoryPath}", $"--Trainer:DataRoot={dataRoot}", $"--Trainer:AuthToken={token}",
             $"--Trainer:JobsPath={Path.Combine(work, "jobs")}", .. QuietLocalEndpoints],
            TimeSpan.FromSeconds(60), cancellationToken)).ConfigureAwait(false);
        Console.WriteLine($"      trainer service listening on {trainer.Address}");

        await using var inference = await steps.RunAsync("start the inference service", () => ChildService.StartAsync("inference",
            ["inference", "serve", $"--Inference:RepositoryPath={repositoryPath}", "--Inference:PollInterval=00:00:00.500", .. QuietLocalEndpoints],
            TimeSpan.FromSeconds(60), cancellationToken)).ConfigureAwait(false);
        Console.WriteLine($"      inference service listening on {inference.Address} (no model yet: health NOT_SERVING)");

        var published = await steps.RunAsync("train MF, the neural model and the implicit model through the trainer (StartTraining, WatchTraining)",
            () => TrainThroughServiceAsync(trainer.Address, token, Path.GetFileName(Path.GetFullPath(folder)), cancellationToken)).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"      published version {published.Version}; held-out RMSE: MF {Metric(published, "mf.rmse")}, neural {Metric(published, "neural.rmse")}; P@10 (rating >= 4): implicit {Metric(published, "implicit.precision_at_10")}, MF {Metric(published, "mf.precision_at_10")}, popularity {Metric(published, "popularity.precision_at_10")}"));

        using var channel = GrpcChannel.ForAddress(inference.Address);
        var client = new Contracts.V1.InferenceService.InferenceServiceClient(channel);
        await steps.RunAsync("wait until the service serves the new version", () => WaitServingAsync(channel, cancellationToken)).ConfigureAwait(false);

        await steps.RunAsync("GetModelInfo", async () =>
        {
            var info = await client.GetModelInfoAsync(new GetModelInfoRequest(), cancellationToken: cancellationToken);
            foreach (var model in info.Models)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"      {model.Version.Name} v{model.Version.Version}: {model.UserCount:N0} users, {model.ItemCount:N0} items, kinds {string.Join("+", model.Version.Kinds)}, execution provider {model.ExecutionProvider}"));
            }

            return 0;
        }).ConfigureAwait(false);

        var chosen = users.Length > 0 ? users : PickUsers(repositoryPath, published.Name, published.Version);
        await steps.RunAsync("Recommend top-5 (the implicit model by default; MF and neural by name)", async () =>
        {
            foreach (var user in chosen)
            {
                foreach (var kind in new[] { ModelKind.Unspecified, ModelKind.Mf, ModelKind.Neural })
                {
                    var response = await client.RecommendAsync(new RecommendRequest { UserId = user, TopN = 5, Model = new ModelSpec { Kind = kind } }, cancellationToken: cancellationToken);
                    Console.WriteLine($"      user {user}, {response.Model.Kind}{(kind == ModelKind.Unspecified ? " (default)" : "")}:");
                    PrintItems(response.Items);
                }
            }

            return 0;
        }).ConfigureAwait(false);

        var ratings = DatasetLoader.Load(folder, cancellationToken).Ratings;
        var famous = MostRated(ratings, 3);
        await steps.RunAsync("SimilarItems for the most-rated film", async () =>
        {
            var response = await client.SimilarItemsAsync(new SimilarItemsRequest { ItemIds = { famous[0] }, TopN = 5 }, cancellationToken: cancellationToken);
            var film = (await client.RecommendAsync(new RecommendRequest { UserId = 0, TopN = 1, CandidateItemIds = { famous[0] }, AllowPopularityFallback = true },
                cancellationToken: cancellationToken)).Items[0].Title;
            Console.WriteLine($"      like '{film}' ({response.Model.Kind}, cosine):");
            PrintItems(response.Results[0].Items);
            return 0;
        }).ConfigureAwait(false);

        await steps.RunAsync("Recommend for a brand-new user from a three-film history", async () =>
        {
            var request = new RecommendRequest { UserId = 0, TopN = 5 };
            request.HistoryItemIds.AddRange(famous);
            var response = await client.RecommendAsync(request, cancellationToken: cancellationToken);
            Console.WriteLine($"      history: items {string.Join(", ", famous)}; {response.Model.Kind} folded it into a user vector:");
            PrintItems(response.Items);
            return 0;
        }).ConfigureAwait(false);

        await steps.RunAsync("PredictRatings (a batch of pairs)", async () =>
        {
            var request = new PredictRatingsRequest { Model = new ModelSpec { Kind = ModelKind.Neural } };
            for (var r = 0; r < 5; r++)
            {
                request.UserIds.Add(ratings.UserIds[r * 97]);
                request.ItemIds.Add(ratings.ItemIds[r * 97]);
            }

            var response = await client.PredictRatingsAsync(request, cancellationToken: cancellationToken);
            for (var i = 0; i < response.Ratings.Count; i++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"      user {request.UserIds[i]}, item {request.ItemIds[i]}: predicted {response.Ratings[i]:F2} (rated {ratings.Values[i * 97]:F0})"));
            }

            return 0;
        }).ConfigureAwait(false);

        await steps.RunAsync("stop both services (SIGTERM, drain)", async () =>
        {
            await inference.DisposeAsync().ConfigureAwait(false);
            await trainer.DisposeAsync().ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"demo finished in {total.Elapsed.TotalSeconds:F1}s"));
        return 0;
    }

    private static string FindOrGenerateData(string work, string? dataFolder)
    {
        if (dataFolder is not null)
        {
            Console.WriteLine($"      using {dataFolder}");
            return dataFolder;
        }

        var downloader = new MovieLensDownloader();
        if (downloader.IsComplete("ml-100k"))
        {
            var real = downloader.FolderFor("ml-100k");
            Console.WriteLine($"      using real MovieLens 100K from {real}");
            return real;
        }

        var folder = Path.Combine(work, "synthetic-ml-100k");
        var summary = new SyntheticDatasetGenerator(new SyntheticDatasetOptions()).Generate(folder);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"      no MovieLens download found: generated {summary.Ratings:N0} synthetic ratings ({summary.Users} users x {summary.Items} items, mean {summary.MeanRating:F2}) in {folder}"));
        return folder;
    }

    private static readonly string[] QuietLocalEndpoints =
    [
        "--Endpoints:BindAddress=127.0.0.1", "--Endpoints:GrpcPort=0", "--Endpoints:MetricsPort=0", "--Endpoints:DrainDelay=00:00:00",
        "--Logging:Format=simple", "--Logging:LogLevel:Default=Warning",
    ];

    /// <summary>Queues a job with the default models on the trainer and follows it to its published version.</summary>
    private static async Task<ModelVersion> TrainThroughServiceAsync(string address, string token, string folder, CancellationToken cancellationToken)
    {
        await using var connection = TrainerClientFlags.Connect(new Uri(address), token);
        var request = new StartTrainingRequest
        {
            ModelName = "movielens",
            Dataset = new DatasetSource { Folder = folder },
            Split = "random:0.2",
            Mf = new MfParameters { Variant = MfVariant.Biased },
            Neural = new NeuralParameters(),
            Implicit = new ImplicitParameters(),
        };
        var job = await connection.Trainer.StartTrainingAsync(request, cancellationToken).ConfigureAwait(false);
        await foreach (var e in connection.Trainer.WatchTrainingAsync(job.JobId, cancellationToken).ConfigureAwait(false))
        {
            Console.WriteLine($"      {TrainingEventPrinter.Describe(e)}");
            switch (e.EventCase)
            {
                case WatchTrainingResponse.EventOneofCase.Published:
                    return e.Published.Version;
                case WatchTrainingResponse.EventOneofCase.Failed:
                    throw new InvalidOperationException($"training job {job.JobId} failed: {e.Failed.Reason}");
                case WatchTrainingResponse.EventOneofCase.Cancelled:
                    throw new InvalidOperationException($"training job {job.JobId} was cancelled");
            }
        }

        throw new InvalidOperationException($"the trainer ended the watch of job {job.JobId} without a result");
    }

    private static void PrintItems(IEnumerable<ScoredItem> items)
    {
        foreach (var item in items)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"        ('{item.Title}', {item.Score:F2})"));
        }
    }

    /// <summary>The ids of the <paramref name="count"/> most-rated items (well-known films on real data).</summary>
    private static long[] MostRated(RatingTable ratings, int count)
    {
        var counts = new Dictionary<int, int>();
        foreach (var item in ratings.ItemIds)
        {
            counts[item] = counts.GetValueOrDefault(item) + 1;
        }

        return [.. counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key).Take(count).Select(c => (long)c.Key)];
    }

    private static string Metric(ModelVersion version, string name) =>
        version.Metrics.FirstOrDefault(m => m.Name == name) is { } metric ? metric.Value.ToString("F4", CultureInfo.InvariantCulture) : "n/a";

    private static long[] PickUsers(string repositoryPath, string name, long version)
    {
        // User 284 is the notebook's example; use it when the dataset has it.
        var ids = new ModelRepository(repositoryPath, TimeProvider.System).OpenVersion(name, version).Users;
        var users = new List<long>();
        if (ids.TryGetIndex(284, out _))
        {
            users.Add(284);
        }

        users.AddRange(Enumerable.Range(0, 2).Select(i => (long)ids.ExternalId(i)).Where(u => !users.Contains(u)));
        return [.. users.Take(2)];
    }

    private static async Task<int> WaitServingAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        var health = new Health.HealthClient(channel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var status = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: timeout.Token);
            if (status.Status == HealthCheckResponse.Types.ServingStatus.Serving)
            {
                return 0;
            }

            await Task.Delay(200, timeout.Token).ConfigureAwait(false);
        }
    }
}
