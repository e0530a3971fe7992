using System.Text.Json.Nodes;
using Recommender.Data;
using Recommender.Models.Onnx;
using Recommender.Models.Repository;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Mf;

/// <summary>A trained MF model: the factor file, the pair graph and the top-k graph.</summary>
public sealed class MfTrainedModel(MfTrainingOptions options, MfTrainingResult result, EvaluationReport? evaluation)
    : TrainedModel("mf", evaluation), IBlendableModel
{
    public const string PairOnnxFile = "mf.onnx";
    public const string TopKOnnxFile = "mf_topk.onnx";

    public MfTrainingResult Result { get; } = result;

    public override TimeSpan Elapsed => Result.Elapsed;

    public override PairScorer? HeldOutScorer => (users, items, scores) =>
    {
        for (var i = 0; i < users.Length; i++)
        {
            scores[i] = Result.Model.RawScore(users[i], items[i]);
        }
    };

    public override void WriteTo(VersionDraft draft, IReadOnlyDictionary<string, string> onnxMetadata)
    {
        ArgumentNullException.ThrowIfNull(draft);
        draft.AddMfModel(Result.Model);
        MfOnnxExporter.ExportPairToFile(Result.Model, onnxMetadata, draft.PathFor(PairOnnxFile));
        MfOnnxExporter.ExportTopKToFile(Result.Model, onnxMetadata, draft.PathFor(TopKOnnxFile));
        draft.AddModel(new ModelEntry(ModelEntry.MfOnnxKind, PairOnnxFile));
        draft.AddModel(new ModelEntry(ModelEntry.MfTopKOnnxKind, TopKOnnxFile));
    }

    public void Score(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> scores)
    {
        for (var i = 0; i < users.Length; i++)
        {
            scores[i] = Result.Model.RawScore(users[i], items[i]);
        }
    }

    public string AddRatingGraph(OnnxGraphBuilder graph, string userIds, string itemIds, string prefix) =>
        MfOnnxExporter.AddPairScore(graph, Result.Model, userIds, itemIds, prefix, prefix + "score");

    public override void AddHyperParameters(IDictionary<string, string> values)
    {
        base.AddHyperParameters(values);
        values["mf.variant"] = options.Variant.ToString().ToLowerInvariant();
        values["mf.factors"] = Invariant(options.Factors);
        values["mf.epochs"] = Invariant(options.Epochs);
        values["mf.learning_rate"] = Invariant(options.LearningRate);
        values["mf.learning_rate_decay"] = Invariant(options.LearningRateDecay);
        values["mf.regularization"] = Invariant(options.Regularization);
        values["mf.seed"] = Invariant(options.Seed);
        if (options.Variant == MfVariant.Bayesian)
        {
            values["mf.burn_in"] = Invariant(options.BurnIn);
            values["mf.sample_every"] = Invariant(options.SampleEvery);
            values["mf.noise_precision"] = options.NoisePrecision is { } precision ? Invariant(precision) : "sampled";
            values["mf.samples"] = Invariant((Result.SamplesFactors ?? Result.Model.Factors) / options.Factors);
            values["mf.exported_factors"] = Invariant(Result.Model.Factors);
            values["mf.posterior_export"] = Result.PosteriorExport ?? "samples";
        }
    }

    public override void AddMetrics(IDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics["mf.train_mse"] = Result.Epochs[Result.BestEpoch - 1].TrainMse;
        metrics["mf.best_epoch"] = Result.BestEpoch;
        if ((Result.ExportedValidationRmse ?? Result.Epochs[Result.BestEpoch - 1].ValidationRmse) is { } validation)
        {
            metrics["mf.validation_rmse"] = validation;
        }

        if (Result.OtherCandidateValidationRmse is { } other)
        {
            metrics["mf.validation_rmse_not_exported"] = other;
        }

        if (Result.SamplesValidationRmse is { } samples && Result.SamplesFactors != Result.Model.Factors)
        {
            metrics["mf.validation_rmse_samples_unreduced"] = samples;
        }
        base.AddMetrics(metrics);
    }

    public override void AddTimings(JsonObject timings)
    {
        ArgumentNullException.ThrowIfNull(timings);
        base.AddTimings(timings);
        timings["mfUpdates"] = Result.Updates;
    }

    public override JsonArray EpochsJson() => new([.. Result.Epochs.Select(e => (JsonNode)new JsonObject
    {
        ["epoch"] = e.Epoch,
        ["trainMse"] = e.TrainMse,
        ["validationRmse"] = e.ValidationRmse,
        ["validationMae"] = e.ValidationMae,
        ["seconds"] = e.Seconds,
        ["updatesPerSecond"] = e.UpdatesPerSecond,
    })]);
}
