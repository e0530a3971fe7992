using System.Text.Json.Nodes;
using Recommender.Data;
using Recommender.Models.Onnx;
using Recommender.Models.Repository;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Neural;

/// <summary>A trained neural model: the pair graph (PredictRatings) and the ranking graph (Recommend).</summary>
public sealed class NeuralTrainedModel(NeuralTrainingOptions options, NeuralTrainingResult result, EvaluationReport? evaluation)
    : TrainedModel("neural", evaluation)
{
    public const string RankOnnxFile = "neural_rank.onnx";

    public NeuralTrainingResult Result { get; } = result;

    public override TimeSpan Elapsed => Result.Elapsed;

    public override PairScorer? HeldOutScorer => (users, items, scores) => NeuralTrainer.PredictWithTorch(Result.Weights, users, items).CopyTo(scores);

    public override void WriteTo(VersionDraft draft, IReadOnlyDictionary<string, string> onnxMetadata)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var weights = Result.Weights;
        NeuralOnnxExporter.ExportToFile(weights, onnxMetadata, draft.PathFor(ArtifactFileNames.NeuralOnnx));
        draft.AddModel(ModelEntry.Neural(ArtifactFileNames.NeuralOnnx, weights.EmbeddingDim, [.. weights.Layers.SkipLast(1).Select(l => l.OutputSize)]));
        NeuralRankOnnxExporter.ExportToFile(weights, onnxMetadata, draft.PathFor(RankOnnxFile));
        draft.AddModel(new ModelEntry(ModelEntry.NeuralRankOnnxKind, RankOnnxFile));
    }

    public override void AddHyperParameters(IDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        values["neural.embedding_dim"] = Invariant(options.EmbeddingDim);
        values["neural.hidden_sizes"] = string.Join(",", options.HiddenSizes);
        values["neural.epochs"] = Invariant(options.Epochs);
        values["neural.batch_size"] = Invariant(options.BatchSize);
        values["neural.learning_rate"] = Invariant(options.LearningRate);
        values["neural.dropout"] = Invariant(options.Dropout);
        values["neural.weight_decay"] = Invariant(options.WeightDecay);
        values["neural.seed"] = Invariant(options.Seed);
    }

    public override void AddMetrics(IDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics["neural.train_mse"] = Result.FinalReport.TrainMse;
        metrics["neural.best_epoch"] = Result.BestEpoch;
        base.AddMetrics(metrics);
    }

    public override JsonArray EpochsJson() => new([.. Result.Epochs.Select(e => (JsonNode)new JsonObject
    {
        ["epoch"] = e.Epoch,
        ["trainMse"] = e.TrainMse,
        ["validationRmse"] = e.ValidationRmse,
        ["validationMae"] = e.ValidationMae,
        ["seconds"] = e.Duration.TotalSeconds,
    })]);
}
