using System.Globalization;
using System.Text.Json.Nodes;
using Recommender.Data;
using Recommender.Models.Repository;

namespace Recommender.Training.Pipeline;

/// <summary>
/// One kind's trained model, before it is published: its held-out evaluation, and what it writes
/// into the version (artifact files and ONNX graphs, hyper-parameters, metrics, epoch curve).
/// </summary>
public abstract class TrainedModel(string kind, EvaluationReport? evaluation)
{
    public string Kind { get; } = kind;

    public EvaluationReport? Evaluation { get; } = evaluation;

    public abstract TimeSpan Elapsed { get; }

    /// <summary>Writes the kind's files into the draft and lists them in its manifest.</summary>
    public abstract void WriteTo(VersionDraft draft, IReadOnlyDictionary<string, string> onnxMetadata);

    /// <summary>The options it was trained with, as "&lt;kind&gt;.&lt;name&gt;" manifest entries.</summary>
    public abstract void AddHyperParameters(IDictionary<string, string> values);

    /// <summary>Training facts and the held-out evaluation, as "&lt;kind&gt;.&lt;metric&gt;" manifest entries.</summary>
    public virtual void AddMetrics(IDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics[$"{Kind}.train_seconds"] = Elapsed.TotalSeconds;
        if (Evaluation is not { } report)
        {
            return;
        }

        metrics[$"{Kind}.rmse"] = report.Rmse;
        metrics[$"{Kind}.mae"] = report.Mae;
        var k = report.Ranking.K;
        metrics[$"{Kind}.precision_at_{k}"] = report.Ranking.PrecisionAtK;
        metrics[$"{Kind}.recall_at_{k}"] = report.Ranking.RecallAtK;
        metrics[$"{Kind}.ndcg_at_{k}"] = report.Ranking.NdcgAtK;
        metrics[$"{Kind}.map_at_{k}"] = report.Ranking.MapAtK;
        metrics[$"{Kind}.catalog_coverage_at_{k}"] = report.Ranking.CatalogCoverage;
    }

    /// <summary>Timings for the metrics json ("&lt;kind&gt;TrainSeconds" and kind-specific counters).</summary>
    public virtual void AddTimings(JsonObject timings)
    {
        ArgumentNullException.ThrowIfNull(timings);
        timings[$"{Kind}TrainSeconds"] = Elapsed.TotalSeconds;
    }

    /// <summary>The per-epoch curve for the metrics json.</summary>
    public abstract JsonArray EpochsJson();

    protected static string Invariant(IFormattable value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.ToString(null, CultureInfo.InvariantCulture);
    }
}
