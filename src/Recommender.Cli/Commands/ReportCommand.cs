using System.CommandLine;
using Recommender.Reporting;

namespace Recommender.Cli.Commands;

/// <summary>`recommender report`: Markdown + PNG report from training metrics and, optionally, bench results.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var metrics = new Option<string>("--metrics-json") { Description = "Metrics JSON of `recommender train all --metrics-json`.", Required = true };
        var bench = new Option<string?>("--bench-json") { Description = "Results JSON of `recommender bench --json`." };
        var output = new Option<string>("--out") { Description = "Folder for report.md and its plots.", Required = true };
        var command = new Command("report", "Write a Markdown report with plots: training curves, accuracy against published figures, serving latency and throughput.")
        {
            metrics, bench, output,
        };
        command.SetAction((parse, cancellationToken) => CommandAction.Run(async () =>
        {
            var training = await TrainingRun.ReadAsync(parse.GetValue(metrics)!, cancellationToken).ConfigureAwait(false);
            var benchPath = parse.GetValue(bench);
            var benchRun = benchPath is null ? null : await BenchJson.ReadAsync(benchPath, cancellationToken).ConfigureAwait(false);
            var written = ReportWriter.Write(parse.GetValue(output)!, training, benchRun, DateTimeOffset.UtcNow);
            foreach (var path in written)
            {
                Console.WriteLine($"wrote {path}");
            }

            return 0;
        }));
        return command;
    }

    /// <summary>`recommender report-sweep`: Recommend latency against catalog size from one bench JSON per catalog.</summary>
    public static Command CreateSweep()
    {
        var bench = new Option<string[]>("--bench-json") { Description = "Results JSON of `recommender bench --json`, one per catalog size (repeat the option).", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { Description = "Folder for catalog-sweep.md and catalog-sweep.png.", Required = true };
        var command = new Command("report-sweep", "Write the catalog-size sweep: Recommend p50/p99 against catalog size per kind, a table and one plot.")
        {
            bench, output,
        };
        command.SetAction((parse, cancellationToken) => CommandAction.Run(async () =>
        {
            var runs = new List<BenchRun>();
            foreach (var path in parse.GetValue(bench)!)
            {
                runs.Add(await BenchJson.ReadAsync(path, cancellationToken).ConfigureAwait(false));
            }

            foreach (var path in CatalogSweepReport.Write(parse.GetValue(output)!, runs, DateTimeOffset.UtcNow))
            {
                Console.WriteLine($"wrote {path}");
            }

            return 0;
        }));
        return command;
    }
}
