using System.Globalization;
using Recommender.Reporting;

namespace Recommender.Cli.Commands.Bench;

/// <summary>Prints bench results as plain aligned text tables (readable in a terminal and in CI logs).</summary>
internal static class BenchTable
{
    public static string CaseHeader { get; } = Row("case", "label", "conc", "ch", "calls", "QPS", "pairs/s", "p50", "p90", "p99", "errors", "load");

    public static string Case(BenchCaseResult c) => Row(
        c.Name, c.Label, Int(c.Concurrency), Int(c.Channels), c.Requests.ToString("N0", CultureInfo.InvariantCulture),
        Units.Rate(c.Qps), Units.Rate(c.PredictionsPerSecond),
        Units.Duration(c.Latency.P50Us), Units.Duration(c.Latency.P90Us), Units.Duration(c.Latency.P99Us),
        c.Errors.Count == 0 ? "0" : string.Join(",", c.Errors.Select(e => $"{e.Key}:{e.Value}")),
        c.LoadAverage.ToString("F1", CultureInfo.InvariantCulture));

    public static string CeilingHeader { get; } = Row("in process, 1 thread", "path", "", "", "calls", "calls/s", "pairs/s", "p50", "p90", "p99", "", "");

    public static string Ceiling(CeilingResult c) => Row(
        c.Operation == BenchCase.Predict ? $"predict {c.Model} b{c.Size}" : $"recommend {c.Model} top{c.Size}", c.Path, "", "",
        c.Calls.ToString("N0", CultureInfo.InvariantCulture), Units.Rate(c.CallsPerSecond), Units.Rate(c.PredictionsPerSecond),
        Units.Duration(c.Latency.P50Us), Units.Duration(c.Latency.P90Us), Units.Duration(c.Latency.P99Us), "", "");

    public static void PrintTargets(TextWriter output, BenchRun run)
    {
        output.WriteLine();
        output.WriteLine("targets (issues 4 and 12):");
        foreach (var check in TargetCheck.Evaluate(run))
        {
            output.WriteLine($"  {check.Verdict,-12} {check.Target}: {check.Measured}");
        }
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Row(string name, string label, string concurrency, string channels, string calls, string qps, string pairs,
        string p50, string p90, string p99, string errors, string load) =>
        $"{name,-22} {label,-13} {concurrency,4} {channels,3} {calls,10} {qps,9} {pairs,9} {p50,9} {p90,9} {p99,9} {load,5}  {errors}";
}
