using System.Globalization;
using Recommender.Data;
using Recommender.Training.Pipeline;

namespace Recommender.Cli.Commands;

/// <summary>Prints a training run as it goes: the data, one line per epoch, then a summary table.</summary>
internal sealed class TrainingPrinter(TextWriter output) : IProgress<TrainingEvent>
{
    public void Report(TrainingEvent value)
    {
        switch (value)
        {
            case DatasetPrepared d:
                output.WriteLine(Invariant($"data      {d.Name}: {d.Ratings:N0} ratings, {d.Users:N0} users x {d.Items:N0} items; train {d.TrainRatings:N0} / test {d.TestRatings:N0} ({d.Seconds:F2}s)"));
                break;
            case EpochFinished { ValidationPrecisionAt10: { } precision } e:
                output.WriteLine(Invariant($"{e.Model,-7} epoch {e.Epoch,3}/{e.Epochs}  loss {e.TrainLoss:G5}  val P@10 {precision:F4}  NDCG@10 {e.ValidationNdcgAt10:F4}  {e.Seconds:F2}s"));
                break;
            case EpochFinished e:
                var validation = e.ValidationRmse is { } rmse ? Invariant($"  val RMSE {rmse:F4}  MAE {e.ValidationMae:F4}") : "";
                output.WriteLine(Invariant($"{e.Model,-7} epoch {e.Epoch,3}/{e.Epochs}  train MSE {e.TrainLoss:F4}{validation}  {e.Seconds:F2}s"));
                break;
            case Exporting:
                output.WriteLine("exporting: factor file, ONNX graphs, id maps, catalog, seen items; verifying and publishing");
                break;
        }
    }

    public void Summary(TrainingOutcome outcome, string path)
    {
        var m = outcome.Manifest;
        output.WriteLine(Invariant($"published {m.ModelName} version {m.Version} -> {path}"));
        foreach (var model in outcome.Models)
        {
            Describe(model.Kind, model.Evaluation, model.Ranking, model.Elapsed);
        }

        if (outcome.Popularity.RatedAtLeast4 is { } chart)
        {
            output.WriteLine(Invariant($"{"popular",-9} (same chart for everyone) {Ranking(chart)}"));
        }

        output.WriteLine("          ranking: relevant = held-out rating >= 4, training items excluded; metrics json also has *_all (every held-out item relevant)");

        output.WriteLine(Invariant($"time      prepare {outcome.PrepareTime.TotalSeconds:F2}s, export {outcome.ExportTime.TotalSeconds:F2}s, total {outcome.TotalTime.TotalSeconds:F2}s"));
    }

    private void Describe(string model, EvaluationReport? report, RankingReport? ranking, TimeSpan trainTime)
    {
        var seconds = trainTime.TotalSeconds;
        if (report is not null)
        {
            output.WriteLine(Invariant(
                $"{model,-9} held-out RMSE {report.Rmse:F4}  MAE {report.Mae:F4}  {Ranking(report.Ranking)}  ({report.TestRatings:N0} test ratings, {report.ColdRatings:N0} cold; trained in {seconds:F2}s)"));
        }
        else if (ranking is not null)
        {
            output.WriteLine(Invariant($"{model,-9} held-out {Ranking(ranking)}  (trained in {seconds:F2}s)"));
        }
        else
        {
            output.WriteLine(Invariant($"{model,-9} trained in {seconds:F2}s (no held-out split)"));
        }
    }

    private static string Ranking(RankingReport r) =>
        Invariant($"P@{r.K} {r.PrecisionAtK:F4}  R@{r.K} {r.RecallAtK:F4}  NDCG@{r.K} {r.NdcgAtK:F4}  MAP@{r.K} {r.MapAtK:F4}  coverage {r.CatalogCoverage:P1}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
