using System.Globalization;

namespace Recommender.Reporting;

/// <summary>One serving target of issue 4, checked against a bench run.</summary>
public sealed record TargetCheck(string Target, string Measured, bool? Met)
{
    /// <summary>"met", "MISSED", or "not measured" when the run lacks the cases.</summary>
    public string Verdict => Met switch { true => "met", false => "MISSED", null => "not measured" };

    /// <summary>
    /// The targets for an ML-100K-sized catalog: Recommend top-10 p99 ≤ 2 ms at concurrency 8 for
    /// both models; neural PredictRatings at batch 1024 and concurrency 8 ≥ 0.6× the in-process ONNX
    /// Runtime rate of one thread; dynamic batching costs ≤ 5% at concurrency 1 and 8 and gains
    /// ≥ 10% single-pair QPS at concurrency 64.
    /// </summary>
    public static IReadOnlyList<TargetCheck> Evaluate(BenchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var checks = new List<TargetCheck>();
        foreach (var model in new[] { "mf", "neural" })
        {
            var recommend = run.Cases.FirstOrDefault(c => c.Operation == "recommend" && c.Model == model && c.Size == 10 && c.Concurrency == 8);
            checks.Add(new TargetCheck($"Recommend top-10 {model} c=8: p99 ≤ 2 ms",
                recommend is null ? "-" : $"p99 {Ms(recommend.Latency.P99Us)} ms",
                recommend is null ? null : recommend.Latency.P99Us <= 2000 && recommend.Qps > 0));
        }

        // Issue 12: the implicit kind's serving targets (reported as not measured when the run lacks them).
        foreach (var (operation, limitMs, wording) in new[] { ("recommend", 2.0, "Recommend top-10"), ("similar", 1.0, "SimilarItems top-10"), ("history", 3.0, "Recommend from a 20-item history top-10") })
        {
            var found = run.Cases.FirstOrDefault(c => c.Operation == operation && c.Model == "implicit" && c.Size == 10 && c.Concurrency == 8);
            checks.Add(new TargetCheck($"{wording} implicit c=8: p99 ≤ {limitMs.ToString("F0", CultureInfo.InvariantCulture)} ms",
                found is null ? "-" : $"p99 {Ms(found.Latency.P99Us)} ms",
                found is null ? null : found.Latency.P99Us <= limitMs * 1000 && found.Qps > 0));
        }

        var served = run.Cases.FirstOrDefault(c => c is { Operation: "predict", Model: "neural", Size: 1024, Concurrency: 8 });
        var ceiling = run.Ceiling.FirstOrDefault(c => c is { Operation: "predict", Model: "neural", Size: 1024, Path: "scorer" });
        double? ratio = served is not null && ceiling is { PredictionsPerSecond: > 0 } ? served.PredictionsPerSecond / ceiling.PredictionsPerSecond : null;
        checks.Add(new TargetCheck("PredictRatings neural b1024 c=8 ≥ 0.6× in-process ORT (1 thread)",
            ratio is { } r ? $"{Mega(served!.PredictionsPerSecond)} vs {Mega(ceiling!.PredictionsPerSecond)} M pairs/s = {r.ToString("F2", CultureInfo.InvariantCulture)}×" : "-",
            ratio is null ? null : ratio >= 0.6));

        foreach (var (concurrency, threshold, wording) in new[] { (1, 0.95, "costs ≤ 5%"), (8, 0.95, "costs ≤ 5%"), (64, 1.10, "gains ≥ 10%") })
        {
            var gain = BatchingGain(run, concurrency);
            checks.Add(new TargetCheck($"Dynamic batching, single pair, c={concurrency}: {wording}",
                gain is { } g ? $"on/off QPS = {g.ToString("F3", CultureInfo.InvariantCulture)}" : "-",
                gain is null ? null : gain >= threshold));
        }

        return checks;
    }

    /// <summary>QPS with batching on divided by QPS with it off, for single-pair neural predictions.</summary>
    public static double? BatchingGain(BenchRun run, int concurrency)
    {
        ArgumentNullException.ThrowIfNull(run);
        var on = run.Batching.FirstOrDefault(c => c.Concurrency == concurrency && c.Label == BatchingLabels.On);
        var off = run.Batching.FirstOrDefault(c => c.Concurrency == concurrency && c.Label == BatchingLabels.Off);
        return on is not null && off is { Qps: > 0 } ? on.Qps / off.Qps : null;
    }

    private static string Ms(double microseconds) => (microseconds / 1000).ToString("F2", CultureInfo.InvariantCulture);

    private static string Mega(double perSecond) => (perSecond / 1e6).ToString("F2", CultureInfo.InvariantCulture);
}
