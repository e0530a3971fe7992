using System.Text.Json.Nodes;
using Recommender.Data;
using Recommender.Models.Implicit;
using Recommender.Models.Mf;
using Recommender.Models.Onnx;
using Recommender.Models.Repository;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Implicit;

/// <summary>
/// A trained implicit model: its factor file (with what fold-in needs) and a top-k graph over the
/// catalog. The graph is MF's top-k graph over the same factors with no biases: the scores are the
/// same dot products, so one exporter and one ONNX ranker serve both kinds.
/// </summary>
public sealed class ImplicitTrainedModel(ImplicitTrainingOptions options, ImplicitTrainingResult result) : TrainedModel("implicit", evaluation: null)
{
    public const string FactorFile = "implicit.safetensors";
    public const string TopKOnnxFile = "implicit_topk.onnx";

    public ImplicitTrainingResult Result { get; } = result;

    public override TimeSpan Elapsed => Result.Elapsed;

    public override PairScorer? HeldOutScorer => (users, items, scores) =>
    {
        for (var i = 0; i < users.Length; i++)
        {
            scores[i] = Result.Model.Score(users[i], items[i]);
        }
    };

    /// <summary>The factors as a bias-free MF model (for the shared top-k exporter and serving path).</summary>
    public static MfModel AsDotProductModel(ImplicitModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new MfModel(model.UserCount, model.ItemCount, model.Factors, model.UserFactors, model.ItemFactors, biases: null);
    }

    public override void WriteTo(VersionDraft draft, IReadOnlyDictionary<string, string> onnxMetadata)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var model = Result.Model;
        ImplicitFactorFile.Save(model, draft.PathFor(FactorFile));
        draft.AddModel(new ModelEntry(ModelEntry.ImplicitKind, FactorFile, new Dictionary<string, string>
        {
            ["factors"] = Invariant(model.Factors),
        }));
        MfOnnxExporter.ExportTopKToFile(AsDotProductModel(model), onnxMetadata, draft.PathFor(TopKOnnxFile));
        draft.AddModel(new ModelEntry(ModelEntry.ImplicitTopKOnnxKind, TopKOnnxFile));
    }

    public override void AddHyperParameters(IDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        values["implicit.factors"] = Invariant(options.Factors);
        values["implicit.epochs"] = Invariant(options.Epochs);
        values["implicit.regularization"] = Invariant(options.Regularization);
        values["implicit.regularization_exponent"] = Invariant(options.RegularizationExponent);
        values["implicit.alpha"] = Invariant(options.Alpha);
        values["implicit.unobserved_weight"] = Invariant(options.UnobservedWeight);
        values["implicit.confidence"] = options.Confidence.ToString().ToLowerInvariant();
        values["implicit.rating_threshold"] = options.RatingThreshold is { } t ? Invariant(t) : "none";
        values["implicit.solver"] = options.Solver.ToString().ToLowerInvariant();
        values["implicit.seed"] = Invariant(options.Seed);
    }

    public override void AddMetrics(IDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics["implicit.interactions"] = Result.Interactions;
        metrics["implicit.final_loss"] = Result.Epochs[^1].Loss;
        base.AddMetrics(metrics);
    }

    public override JsonArray EpochsJson() => new([.. Result.Epochs.Select(e => (JsonNode)new JsonObject
    {
        ["epoch"] = e.Epoch,
        ["loss"] = e.Loss,
        ["validationPrecisionAt10"] = e.ValidationPrecisionAt10,
        ["validationNdcgAt10"] = e.ValidationNdcgAt10,
        ["seconds"] = e.Seconds,
        ["solveSeconds"] = e.SolveSeconds,
    })]);
}
