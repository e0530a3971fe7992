using System.Text.Json.Nodes;
using Recommender.Data;
using Recommender.Models.Repository;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Blend;

/// <summary>A fitted blend: one ONNX graph (user_ids, item_ids → rating) holding every member's computation.</summary>
public sealed class BlendTrainedModel(
    BlendTrainingOptions options,
    IReadOnlyList<IBlendableModel> members,
    BlendFit fit,
    float minRating,
    float maxRating,
    TimeSpan elapsed,
    EvaluationReport? evaluation)
    : TrainedModel(ModelEntry.BlendKind, evaluation)
{
    public const string OnnxFile = "blend.onnx";

    public IReadOnlyList<IBlendableModel> Members { get; } = members;

    public BlendFit Fit { get; } = fit;

    /// <summary>Each member's RMSE on the test part (scored once, for the record); null without one.</summary>
    public IReadOnlyList<double>? MemberTestRmse { get; init; }

    /// <summary>The autoencoder member's training, when the blend trained one.</summary>
    public AutoRecResult? AutoRec { get; init; }

    /// <summary>Why the requested autoencoder was left out (too large a catalog for its dense matrices), or null.</summary>
    public string? AutoRecLeftOut { get; init; }

    /// <summary>The member kind whose feature-only rows predict pairs with a user or item the members have no row for; null: the training mean.</summary>
    public string? ColdPairsFrom { get; init; }

    public override TimeSpan Elapsed => elapsed;

    public override void WriteTo(VersionDraft draft, IReadOnlyDictionary<string, string> onnxMetadata)
    {
        ArgumentNullException.ThrowIfNull(draft);
        BlendOnnxExporter.ExportToFile(Members, Fit.Weights, minRating, maxRating, onnxMetadata, draft.PathFor(OnnxFile));
        var properties = new Dictionary<string, string> { ["members"] = string.Join(',', Members.Select(m => m.Kind)) };
        if (ColdPairsFrom is not null)
        {
            properties[ModelEntry.ColdPairsProperty] = ColdPairsFrom;
        }

        draft.AddModel(new ModelEntry(ModelEntry.BlendKind, OnnxFile, properties));
    }

    public override void AddHyperParameters(IDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        values["blend.members"] = string.Join(',', Members.Select(m => m.Kind));
        values["blend.weights_fitted_on"] = EpochChosenOn;
        values["blend.ridge"] = Invariant(options.Ridge);
        values["blend.cold_pairs"] = ColdPairsFrom ?? "training-mean";
        if (options.AutoRec is { } autoRec)
        {
            values["blend.autorec.hidden"] = Invariant(autoRec.Hidden);
            values["blend.autorec.epochs"] = Invariant(autoRec.Epochs);
            values["blend.autorec.batch_size"] = Invariant(autoRec.BatchSize);
            values["blend.autorec.learning_rate"] = Invariant(autoRec.LearningRate);
            values["blend.autorec.learning_rate_decay"] = Invariant(autoRec.LearningRateDecay);
            values["blend.autorec.regularization"] = Invariant(autoRec.Regularization);
            values["blend.autorec.seed"] = Invariant(autoRec.Seed);
            if (AutoRecLeftOut is not null)
            {
                values["blend.autorec.left_out"] = AutoRecLeftOut;
            }
        }

        if (Members.OfType<BaselineModel>().Any())
        {
            values["blend.baseline_user_shrinkage"] = Invariant(options.BaselineUserShrinkage);
            values["blend.baseline_item_shrinkage"] = Invariant(options.BaselineItemShrinkage);
        }
    }

    public override void AddMetrics(IDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics["blend.intercept"] = Fit.Weights.Intercept;
        for (var m = 0; m < Members.Count; m++)
        {
            metrics[$"blend.weight.{Members[m].Kind}"] = Fit.Weights.Weights[m];
            metrics[$"blend.member_validation_rmse.{Members[m].Kind}"] = Fit.MemberValidationRmse[m];
            if (MemberTestRmse is { } test)
            {
                metrics[$"blend.member_rmse.{Members[m].Kind}"] = test[m];
            }
        }

        if (AutoRec is { } autoRec)
        {
            metrics["blend.autorec.best_epoch"] = autoRec.BestEpoch;
            metrics["blend.autorec.train_seconds"] = autoRec.Elapsed.TotalSeconds;
        }

        metrics["blend.validation_rmse_in_sample"] = Fit.ValidationRmse;
        metrics["blend.validation_rmse"] = Fit.CrossValidatedRmse;
        base.AddMetrics(metrics);
    }

    /// <summary>A blend has no epochs; its autoencoder member's, when it has one.</summary>
    public override JsonArray EpochsJson() => new([.. (AutoRec?.Epochs ?? []).Select(e => (JsonNode)new JsonObject
    {
        ["epoch"] = e.Epoch,
        ["trainMse"] = e.TrainMse,
        ["validationRmse"] = e.ValidationRmse,
        ["seconds"] = e.Seconds,
    })]);
}
