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

    /// <summary>Held-out rating errors and ranking (relevance: rating ≥ 4); null for kinds whose scores are not ratings.</summary>
    public EvaluationReport? Evaluation { get; } = evaluation;

    /// <summary>Scores held-out pairs for ranking (dense indices); lets the pipeline rank under every relevance protocol.</summary>
    public virtual PairScorer? HeldOutScorer => null;

    /// <summary>
    /// Scores test pairs whose user or item has no training rating, for a kind with feature-only
    /// rows for them (NeuMF with side features); null when such pairs get the training mean.
    /// </summary>
    public ColdPairScorer? ColdScorer { get; init; }

    /// <summary>Held-out ranking with relevance = rating ≥ 4 (from <see cref="Evaluation"/>, or ranked by the pipeline).</summary>
    public RankingReport? Ranking { get; private set; }

    /// <summary>Held-out ranking with every held-out interaction relevant.</summary>
    public RankingReport? RankingAllInteractions { get; private set; }

    /// <summary>Set by the pipeline after training.</summary>
    internal void SetRankings(RankingReport? ratedAtLeast4, RankingReport? allInteractions)
    {
        Ranking = Evaluation?.Ranking ?? ratedAtLeast4;
        RankingAllInteractions = allInteractions;
    }

    /// <summary>The value of <see cref="EpochChosenOn"/> when training ran its configured epochs and kept the last.</summary>
    public const string LastEpoch = "last-epoch";

    /// <summary>
    /// What chose the epoch whose parameters were kept: "validation" (early stopping on the
    /// validation part carved from the training split) or <see cref="LastEpoch"/>. Never the test split.
    /// </summary>
    public string EpochChosenOn { get; init; } = LastEpoch;

    public abstract TimeSpan Elapsed { get; }

    /// <summary>Writes the kind's files into the draft and lists them in its manifest.</summary>
    public abstract void WriteTo(VersionDraft draft, IReadOnlyDictionary<string, string> onnxMetadata);

    /// <summary>The options it was trained with, as "&lt;kind&gt;.&lt;name&gt;" manifest entries (and what chose its epoch).</summary>
    public virtual void AddHyperParameters(IDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        values[$"{Kind}.best_epoch_chosen_on"] = EpochChosenOn;
    }

    /// <summary>Training facts and the held-out evaluation, as "&lt;kind&gt;.&lt;metric&gt;" manifest entries.</summary>
    public virtual void AddMetrics(IDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics[$"{Kind}.train_seconds"] = Elapsed.TotalSeconds;
        if (Evaluation is { } report)
        {
            metrics[$"{Kind}.rmse"] = report.Rmse;
            metrics[$"{Kind}.mae"] = report.Mae;
            if (report.ColdRatings > 0)
            {
                // The test ratings whose user or item has no training rating: the training mean's
                // error, unless the kind predicts them from side features.
                metrics[$"{Kind}.cold_rmse"] = report.ColdRmse;
            }
        }

        AddRanking(metrics, Kind, Ranking, RankingAllInteractions);
    }

    /// <summary>
    /// "&lt;prefix&gt;.precision_at_10" etc. with relevance = rating ≥ 4, and the same keys ending in
    /// "_all" with every held-out interaction relevant.
    /// </summary>
    public static void AddRanking(IDictionary<string, double> metrics, string prefix, RankingReport? ratedAtLeast4, RankingReport? allInteractions)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var (report, suffix) in new[] { (ratedAtLeast4, ""), (allInteractions, "_all") })
        {
            if (report is null)
            {
                continue;
            }

            var k = report.K;
            metrics[$"{prefix}.precision_at_{k}{suffix}"] = report.PrecisionAtK;
            metrics[$"{prefix}.recall_at_{k}{suffix}"] = report.RecallAtK;
            metrics[$"{prefix}.ndcg_at_{k}{suffix}"] = report.NdcgAtK;
            metrics[$"{prefix}.map_at_{k}{suffix}"] = report.MapAtK;
            metrics[$"{prefix}.catalog_coverage_at_{k}{suffix}"] = report.CatalogCoverage;
        }
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
