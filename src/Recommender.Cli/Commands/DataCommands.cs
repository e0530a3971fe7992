using System.CommandLine;
using System.Diagnostics;
using Recommender.Data;

namespace Recommender.Cli.Commands;

/// <summary>`recommender data synth|download|info`.</summary>
internal static class DataCommands
{
    public static Command Create() => new("data", "Generate, download and inspect datasets.")
    {
        Synth(),
        Download(),
        Info(),
    };

    private static Command Synth()
    {
        var defaults = new SyntheticDatasetOptions();
        var output = new Option<string>("--out") { Description = "Folder to write (ml-100k layout).", Required = true };
        var users = new Option<int>("--users") { Description = "Users.", DefaultValueFactory = _ => defaults.Users };
        var items = new Option<int>("--items") { Description = "Items.", DefaultValueFactory = _ => defaults.Items };
        var ratings = new Option<int>("--ratings") { Description = "Ratings.", DefaultValueFactory = _ => defaults.Ratings };
        var seed = new Option<long>("--seed") { Description = "Random seed (same seed, same files).", DefaultValueFactory = _ => defaults.Seed };
        var command = new Command("synth", "Write a synthetic MovieLens-shaped dataset from a planted latent-factor model.")
        {
            output, users, items, ratings, seed,
        };
        command.SetAction((parse, cancellationToken) => CommandAction.Run(() =>
        {
            var options = defaults with
            {
                Users = parse.GetValue(users),
                Items = parse.GetValue(items),
                Ratings = parse.GetValue(ratings),
                Seed = parse.GetValue(seed),
            };
            var summary = new SyntheticDatasetGenerator(options).Generate(parse.GetValue(output)!, cancellationToken);
            Console.WriteLine($"wrote {summary.Ratings:N0} ratings by {summary.Users:N0} users of {summary.Items:N0} items to {summary.Folder}");
            Console.WriteLine($"mean rating {summary.MeanRating:F3}; stars 1-5: {string.Join(" / ", Enumerable.Range(1, 5).Select(s => summary.CountOf(s).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}");
            Console.WriteLine($"noise floor (RMSE of a perfect model) {summary.NoiseFloorRmse:F4}; {summary.Elapsed.TotalSeconds:F2}s");
            return Task.FromResult(0);
        }));
        return command;
    }

    private static Command Download()
    {
        var name = new Argument<string>("name") { Description = $"One of: {string.Join(", ", MovieLensDownloader.KnownDatasets)}." };
        name.AcceptOnlyFromAmong([.. MovieLensDownloader.KnownDatasets]);
        var output = new Option<string?>("--out") { Description = "Cache folder (default: ~/.cache/recommender/datasets)." };
        var command = new Command("download", "Download a MovieLens dataset from GroupLens (checksum-verified, cached).") { name, output };
        command.SetAction((parse, cancellationToken) => CommandAction.Run(async () =>
        {
            var folder = parse.GetValue(output);
            var options = folder is null ? new MovieLensDownloaderOptions() : new MovieLensDownloaderOptions { CacheFolder = folder };
            using var downloader = new DownloadProgressPrinter();
            var path = await new MovieLensDownloader(options).EnsureAsync(parse.GetValue(name)!, downloader, cancellationToken).ConfigureAwait(false);
            downloader.Finish();
            Console.WriteLine($"dataset ready in {path}");
            return 0;
        }));
        return command;
    }

    private static Command Info()
    {
        var folder = new Argument<string>("folder") { Description = "A dataset folder (ml-100k, ml-1m/10m, ml-latest-small/25m layouts)." };
        var command = new Command("info", "Describe a dataset folder.") { folder };
        command.SetAction((parse, cancellationToken) => CommandAction.Run(() =>
        {
            var watch = Stopwatch.StartNew();
            var dataset = DatasetLoader.Load(parse.GetValue(folder)!, cancellationToken);
            var ratings = dataset.Ratings;
            var users = ratings.UserIds.Distinct().Count();
            var items = ratings.ItemIds.Distinct().Count();
            Console.WriteLine($"dataset   {dataset.Name} ({dataset.Format}) in {dataset.Folder}");
            Console.WriteLine($"ratings   {ratings.Count:N0} by {users:N0} users of {items:N0} items (density {(double)ratings.Count / users / items:P2})");
            Console.WriteLine($"values    mean {ratings.Values.Average():F3}, min {ratings.Values.Min()}, max {ratings.Values.Max()}");
            Console.WriteLine($"catalog   {dataset.Movies.Count:N0} movies; users with profiles {dataset.Users.Count:N0}");
            Console.WriteLine($"fingerprint {DatasetFingerprint.Compute(ratings)}");
            Console.WriteLine($"loaded in {watch.Elapsed.TotalSeconds:F2}s");
            return Task.FromResult(0);
        }));
        return command;
    }
}
