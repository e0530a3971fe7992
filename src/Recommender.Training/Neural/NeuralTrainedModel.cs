using System.Text.Json.Nodes;
using Recommender.Data;
using Recommender.Models.Artifacts;
using Recommender.Models.Neural;
using Recommender.Models.Onnx;
using Recommender.Models.Repository;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Neural;

/// <summary>A trained neural model: the pair graph (PredictRatings) and the ranking graph (Recommend).</summary>
public sealed class NeuralTrainedModel(NeuralTrainingOptions options, NeuralTrainingResult result, EvaluationReport? evaluation)
    : TrainedModel("neural", evaluation), IBlendableModel
{
    public const string RankOnnxFile = "neural_rank.onnx";

    public NeuralTrainingResult Result { get; } = result;

    /// <summary>How many side-feature columns (users' and items') the network was trained with; 0 without.</summary>
    public int SideFeatureColumns { get; init; }

    /// <summary>
    /// Profiled users without a training rating, whose feature-only rows follow the indexed users
    /// in the exported tables (index = user count + k); null when there are none.
    /// </summary>
    public IdMap? ColdUsers { get; init; }

    /// <summary>Catalog items without a training rating, as <see cref="ColdUsers"/>.</summary>
    public IdMap? ColdItems { get; init; }

    public override TimeSpan Elapsed => Result.Elapsed;

    private PairScorer? scorer;

    public override PairScorer? HeldOutScorer => scorer ??= ScorerFor(Result.Weights);

    /// <summary>
    /// The scorer that evaluation and the blend use: <see cref="NeuralPairScorer"/> (first layer
    /// split per user and item), or the network itself when it has no hidden layer to split.
    /// </summary>
    public static PairScorer ScorerFor(NeuralWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Layers.Count < 2)
        {
            return (users, items, scores) => NeuralTrainer.PredictWithTorch(weights, users, items).CopyTo(scores);
        }

        var fast = new NeuralPairScorer(weights);
        return fast.Score;
    }

    public override void WriteTo(VersionDraft draft, IReadOnlyDictionary<string, string> onnxMetadata)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var weights = Result.Weights;
        NeuralOnnxExporter.ExportToFile(weights, onnxMetadata, draft.PathFor(ArtifactFileNames.NeuralOnnx));
        var architecture = new Dictionary<string, string> { ["architecture"] = options.Architecture.ToString().ToLowerInvariant() };
        if (ColdUsers is not null && ColdItems is not null)
        {
            // The version's cold ids name the rows past the id maps' counts; the entry says this
            // graph has them (serving checks it covers every one).
            draft.AddColdIds(new IdMaps(ColdUsers, ColdItems));
            architecture[ModelEntry.ColdRowsProperty] = "true";
        }

        draft.AddModel(ModelEntry.Neural(ArtifactFileNames.NeuralOnnx, weights.EmbeddingDim, [.. weights.Layers.SkipLast(1).Select(l => l.OutputSize)], architecture));
        if (weights.Gmf is null && weights.Biases is null)
        {
            // The ranking graph splits the notebook's first layer; NeuMF ranks through the pair graph.
            NeuralRankOnnxExporter.ExportToFile(weights, onnxMetadata, draft.PathFor(RankOnnxFile));
            draft.AddModel(new ModelEntry(ModelEntry.NeuralRankOnnxKind, RankOnnxFile));
        }
    }

    /// <summary>The held-out scorer's scores, which the ONNX graph matches to float rounding (the parity tests check it).</summary>
    public void Score(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> scores) => HeldOutScorer!(users, items, scores);

    public string AddRatingGraph(OnnxGraphBuilder graph, string userIds, string itemIds, string prefix) =>
        NeuralOnnxExporter.AddPairScore(graph, Result.Weights, userIds, itemIds, prefix, prefix + "score");

    public override void AddHyperParameters(IDictionary<string, string> values)
    {
        base.AddHyperParameters(values);
        values["neural.architecture"] = options.Architecture.ToString().ToLowerInvariant();
        values["neural.embedding_dim"] = Invariant(options.EmbeddingDim);
        values["neural.hidden_sizes"] = string.Join(",", options.HiddenSizes);
        values["neural.epochs"] = Invariant(options.Epochs);
        values["neural.batch_size"] = Invariant(options.BatchSize);
        values["neural.learning_rate"] = Invariant(options.LearningRate);
        values["neural.dropout"] = Invariant(options.Dropout);
        values["neural.weight_decay"] = Invariant(options.WeightDecay);
        values["neural.seed"] = Invariant(options.Seed);
        if (options.Architecture == NeuralArchitecture.NeuMf)
        {
            values["neural.gmf_dim"] = Invariant(options.GmfDim);
            values["neural.embedding_regularization"] = Invariant(options.EmbeddingRegularization);
            values["neural.side_features"] = Invariant(SideFeatureColumns);
        }

        values["neural.learning_rate_decay"] = Invariant(options.LearningRateDecay);
    }

    public override void AddMetrics(IDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics["neural.train_mse"] = Result.FinalReport.TrainMse;
        metrics["neural.best_epoch"] = Result.BestEpoch;
        if (ColdUsers is not null && ColdItems is not null)
        {
            metrics["neural.cold_users"] = ColdUsers.Count;
            metrics["neural.cold_items"] = ColdItems.Count;
        }

        if (Result.FinalReport.ValidationRmse is { } validation)
        {
            metrics["neural.validation_rmse"] = validation;
        }
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
