using System.Globalization;
using System.Text;

namespace Recommender.Reporting;

/// <summary>
/// Writes DIR/report.md and its PNG plots from a training run's metrics and, optionally, a bench
/// run: training curves, accuracy against published MovieLens figures, and serving latency and
/// throughput against concurrency.
/// </summary>
public static class ReportWriter
{
    public const string ReportFileName = "report.md";

    private static readonly int[] ConcurrencyAxis = [1, 8, 64];

    /// <summary>Writes the report; returns the paths of every file written (report first).</summary>
    public static IReadOnlyList<string> Write(string directory, TrainingRun training, BenchRun? bench, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(training);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var text = new StringBuilder();
        text.AppendLine("# Recommender: training and serving report").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Generated {generatedAt:yyyy-MM-dd HH:mm} UTC by `recommender report`. ")
            .Append(CultureInfo.InvariantCulture, $"Model `{training.Model}` version {training.Version}, trained on dataset `{training.Dataset}`")
            .AppendLine(training.TotalSeconds is { } total ? FormattableString.Invariant($" in {total:F1} s.") : ".")
            .AppendLine();

        AppendTraining(text, directory, training, written);
        AppendAccuracy(text, training);
        RankingSection.Append(text, training.Metrics);
        if (bench is not null)
        {
            AppendServing(text, directory, bench, written);
        }

        var reportPath = Path.Combine(directory, ReportFileName);
        File.WriteAllText(reportPath, text.ToString());
        written.Insert(0, reportPath);
        return written;
    }

    private static void AppendTraining(StringBuilder text, string directory, TrainingRun training, List<string> written)
    {
        text.AppendLine("## Training").AppendLine();
        foreach (var (name, title, epochs) in new[] { ("training-mf.png", "Matrix factorization (SGD)", training.MfEpochs), ("training-neural.png", "Neural (embeddings + MLP)", training.NeuralEpochs) })
        {
            if (epochs.Count == 0)
            {
                continue;
            }

            var path = Path.Combine(directory, name);
            ReportPlots.TrainingCurves(path, $"{title}: train MSE and validation RMSE per epoch", epochs);
            written.Add(path);
            text.AppendLine(CultureInfo.InvariantCulture, $"![{title} training curves]({name})").AppendLine();
        }

        var epochCount = Math.Max(training.MfEpochs.Count, training.NeuralEpochs.Count);
        if (epochCount > 0)
        {
            MarkdownTable.Append(text, ["epoch", "MF train MSE", "MF validation RMSE", "neural train MSE", "neural validation RMSE"],
                Enumerable.Range(0, epochCount).Select(i => (IReadOnlyList<string>)
                [
                    (training.MfEpochs.ElementAtOrDefault(i)?.Epoch ?? training.NeuralEpochs[i].Epoch).ToString(CultureInfo.InvariantCulture),
                    F(training.MfEpochs.ElementAtOrDefault(i)?.TrainMse, 4),
                    F(training.MfEpochs.ElementAtOrDefault(i)?.ValidationRmse, 4),
                    F(training.NeuralEpochs.ElementAtOrDefault(i)?.TrainMse, 4),
                    F(training.NeuralEpochs.ElementAtOrDefault(i)?.ValidationRmse, 4),
                ]));
        }

        if (training.Metrics.Count > 0)
        {
            text.AppendLine("Final metrics of the published version (held-out split):").AppendLine();
            MarkdownTable.Append(text, ["metric", "value"],
                training.Metrics.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (IReadOnlyList<string>)[kv.Key, F(kv.Value, 4)]));
        }
    }

    private static void AppendAccuracy(StringBuilder text, TrainingRun training)
    {
        text.AppendLine("## Accuracy against published MovieLens figures").AppendLine();
        text.AppendLine("**Not comparable one to one.** Our numbers below come from this run's dataset "
            + $"(`{training.Dataset}`; a synthetic MovieLens-shaped set unless it says ml-100k), whose noise floor and "
            + "rating distribution differ from the real data. The published figures are for the real MovieLens 100K, "
            + "each under its own split and protocol. Read them as the range a correct implementation lands in on real data.").AppendLine();

        text.AppendLine("### Ours (this run)").AppendLine();
        MarkdownTable.Append(text, ["model", "measure", "value"],
        [
            ["MF", "train MSE at epoch 20", F(training.MfEpochs.FirstOrDefault(e => e.Epoch == 20)?.TrainMse, 4)],
            ["MF", "validation RMSE (last epoch)", F(training.MfEpochs.LastOrDefault()?.ValidationRmse, 4)],
            ["MF", "held-out RMSE (manifest `mf.rmse`)", F(Metric(training, "mf.rmse"), 4)],
            ["neural", "validation RMSE (last epoch)", F(training.NeuralEpochs.LastOrDefault()?.ValidationRmse, 4)],
            ["neural", "held-out RMSE (manifest `neural.rmse`)", F(Metric(training, "neural.rmse"), 4)],
            ["blend (served default)", "validation RMSE (cross-validated, `blend.validation_rmse`)", F(Metric(training, "blend.validation_rmse"), 4)],
            ["blend (served default)", "held-out RMSE (manifest `blend.rmse`)", F(Metric(training, "blend.rmse"), 4)],
        ]);

        text.AppendLine("### Published (real MovieLens 100K)").AppendLine();
        MarkdownTable.Append(text, ["source", "model", "measure", "value", "protocol"],
            PublishedFigure.MovieLens100K.Select(p => (IReadOnlyList<string>)[p.Source, p.Model, p.Measure, p.Value, p.Protocol]));
    }

    private static void AppendServing(StringBuilder text, string directory, BenchRun bench, List<string> written)
    {
        text.AppendLine("## Serving: latency and throughput").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"`recommender bench` against {bench.Address} at {bench.StartedAt:yyyy-MM-dd HH:mm} UTC: model `{bench.Model.Name}` v{bench.Model.Version} "
            + $"({bench.Model.Users:N0} users × {bench.Model.Items:N0} items) on {bench.Model.ExecutionProvider}. ")
            .AppendLine(CultureInfo.InvariantCulture,
            $"{bench.Machine.ProcessorCount} cores ({bench.Machine.Os}), **shared by client and server**; 1-minute load average {F(bench.Machine.LoadAverageAtStart, 2)} at start, {F(bench.Machine.LoadAverageAtEnd, 2)} at end. ")
            .AppendLine(CultureInfo.InvariantCulture,
            $"Each case: {F(bench.Settings.WarmupSeconds, 1)} s warm-up, then at most {F(bench.Settings.DurationSeconds, 1)} s or {bench.Settings.MaxRequests:N0} calls; ids from {bench.Settings.IdSource}.")
            .AppendLine();

        text.AppendLine("### Targets (issue 4)").AppendLine();
        MarkdownTable.Append(text, ["target", "measured", "verdict"],
            TargetCheck.Evaluate(bench).Select(c => (IReadOnlyList<string>)[c.Target, c.Measured, c.Verdict]));

        AppendConcurrencyPlots(text, directory, bench, written);

        text.AppendLine("### All cases over gRPC").AppendLine();
        AppendCases(text, bench.Cases);

        if (bench.Ceiling.Count > 0)
        {
            text.AppendLine("### In-process ceiling (no gRPC, one thread)").AppendLine();
            text.AppendLine("`scorer`: the bare scorer over dense indices (ONNX Runtime for neural, SIMD dot products for MF); "
                + "`engine`: the serving engine an RPC handler calls (id mapping, clipping, top-N).").AppendLine();
            MarkdownTable.Append(text, ["case", "path", "calls", "calls/s", "pairs/s", "p50", "p99"],
                bench.Ceiling.Select(c => (IReadOnlyList<string>)
                [
                    c.Operation == "predict" ? $"predict {c.Model} b{c.Size}" : $"{c.Operation} {c.Model} top{c.Size}",
                    c.Path, c.Calls.ToString("N0", CultureInfo.InvariantCulture), Units.Rate(c.CallsPerSecond), Units.Rate(c.PredictionsPerSecond),
                    Units.Duration(c.Latency.P50Us), Units.Duration(c.Latency.P99Us),
                ]));
        }

        if (bench.Batching.Count > 0)
        {
            text.AppendLine("### Dynamic batching on and off (neural, one pair per call)").AppendLine();
            var path = Path.Combine(directory, "batching.png");
            ReportPlots.AgainstConcurrency(path, "Single-pair neural PredictRatings: batching on vs off", "calls/s", ConcurrencyAxis,
            [
                (BatchingLabels.On, ConcurrencyAxis.Select(c => bench.Batching.FirstOrDefault(b => b.Label == BatchingLabels.On && b.Concurrency == c)?.Qps).ToArray()),
                (BatchingLabels.Off, ConcurrencyAxis.Select(c => bench.Batching.FirstOrDefault(b => b.Label == BatchingLabels.Off && b.Concurrency == c)?.Qps).ToArray()),
            ]);
            written.Add(path);
            text.AppendLine("![batching on vs off](batching.png)").AppendLine();
            AppendCases(text, bench.Batching);
        }
    }

    private static void AppendConcurrencyPlots(StringBuilder text, string directory, BenchRun bench, List<string> written)
    {
        var groups = new (string Name, string Operation, string Model, int Size)[]
        {
            ("predict mf b1", "predict", "mf", 1),
            ("predict neural b1", "predict", "neural", 1),
            ("recommend mf top10", "recommend", "mf", 10),
            ("recommend neural top10", "recommend", "neural", 10),
        };
        BenchCaseResult? Find((string Name, string Operation, string Model, int Size) g, int concurrency) =>
            bench.Cases.FirstOrDefault(c => c.Operation == g.Operation && c.Model == g.Model && c.Size == g.Size && c.Concurrency == concurrency && c.Label.Length == 0);
        if (!groups.Any(g => ConcurrencyAxis.Any(c => Find(g, c) is not null)))
        {
            return;
        }

        // p50 and p99 on separate plots: eight lines on one are unreadable, and tails run an order of magnitude above medians.
        foreach (var (file, title, pick) in new (string, string, Func<LatencySummary, double>)[]
        {
            ("latency-p50-vs-concurrency.png", "Median latency (p50) against concurrency", l => l.P50Us),
            ("latency-p99-vs-concurrency.png", "Tail latency (p99) against concurrency", l => l.P99Us),
        })
        {
            ReportPlots.AgainstConcurrency(Path.Combine(directory, file), title, "milliseconds", ConcurrencyAxis,
                [.. groups.Select(g => (g.Name, (IReadOnlyList<double?>)ConcurrencyAxis.Select(c => Find(g, c) is { } found ? pick(found.Latency) / 1000 : (double?)null).ToArray()))]);
            written.Add(Path.Combine(directory, file));
            text.AppendLine(CultureInfo.InvariantCulture, $"![{title}]({file})").AppendLine();
        }

        var throughput = Path.Combine(directory, "throughput-vs-concurrency.png");
        ReportPlots.AgainstConcurrency(throughput, "Throughput against concurrency", "calls/s", ConcurrencyAxis,
            [.. groups.Select(g => (g.Name, (IReadOnlyList<double?>)ConcurrencyAxis.Select(c => Find(g, c)?.Qps).ToArray()))]);
        written.Add(throughput);
        text.AppendLine("![throughput against concurrency](throughput-vs-concurrency.png)").AppendLine();
    }

    private static void AppendCases(StringBuilder text, IReadOnlyList<BenchCaseResult> cases) =>
        MarkdownTable.Append(text, ["case", "label", "conc.", "channels", "calls", "QPS", "pairs/s", "p50", "p90", "p99", "errors", "load"],
            cases.Select(c => (IReadOnlyList<string>)
            [
                c.Name, c.Label, c.Concurrency.ToString(CultureInfo.InvariantCulture), c.Channels.ToString(CultureInfo.InvariantCulture),
                c.Requests.ToString("N0", CultureInfo.InvariantCulture), Units.Rate(c.Qps), Units.Rate(c.PredictionsPerSecond),
                Units.Duration(c.Latency.P50Us), Units.Duration(c.Latency.P90Us), Units.Duration(c.Latency.P99Us),
                c.Errors.Count == 0 ? "0" : string.Join(", ", c.Errors.Select(e => $"{e.Key} {e.Value}")),
                F(c.LoadAverage, 1),
            ]));

    private static double? Metric(TrainingRun training, string name) => training.Metrics.TryGetValue(name, out var v) ? v : null;

    private static string F(double? value, int digits) =>
        value is { } v && double.IsFinite(v) ? v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "-";
}
