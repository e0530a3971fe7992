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

    /// <summary>
    /// The networks of an ensemble (<see cref="NeuralTrainingOptions.Ensemble"/>), <see cref="Result"/>
    /// first; the model is their average. Just <see cref="Result"/> for a single network.
    /// </summary>
    public IReadOnlyList<NeuralTrainingResult> Members
    {
        get => members ?? [Result];
        init => members = value is { Count: > 0 } && value[0] == Result
            ? value
            : throw new ArgumentException("An ensemble's first member is the model's result.", nameof(value));
    }

    private readonly IReadOnlyList<NeuralTrainingResult>? members;

    /// <summary>The ensemble average's validation RMSE; null for a single network (its epoch's is the model's).</summary>
    public double? EnsembleValidationRmse { get; init; }

    public override TimeSpan Elapsed => Members.Aggregate(TimeSpan.Zero, (sum, m) => sum + m.Elapsed);

    private PairScorer? scorer;

    public override PairScorer? HeldOutScorer => scorer ??= ScorerFor([.. Members.Select(m => m.Weights)]);

    /// <summary>
    /// The average of the members' <see cref="ScorerFor(NeuralWeights)"/> scores (summed in member
    /// order, times 1/count, as the ensemble graph computes it); one member's scorer unchanged.
    /// </summary>
    public static PairScorer ScorerFor(IReadOnlyList<NeuralWeights> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfZero(weights.Count, nameof(weights));
        if (weights.Count == 1)
        {
            return ScorerFor(weights[0]);
        }

        var scorers = weights.Select(ScorerFor).ToArray();
        var scale = 1f / scorers.Length;
        return (users, items, scores) =>
        {
            var member = new float[scores.Length];
            scorers[0](users, items, scores);
            for (var m = 1; m < scorers.Length; m++)
            {
                scorers[m](users, items, member);
                System.Numerics.Tensors.TensorPrimitives.Add(scores, member, scores);
            }

            System.Numerics.Tensors.TensorPrimitives.Multiply(scores, scale, scores);
        };
    }

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
        NeuralOnnxExporter.ExportToFile([.. Members.Select(m => m.Weights)], onnxMetadata, draft.PathFor(ArtifactFileNames.NeuralOnnx));
        var architecture = new Dictionary<string, string> { ["architecture"] = options.Architecture.ToString().ToLowerInvariant() };
        if (Members.Count > 1)
        {
            architecture["ensemble"] = Invariant(Members.Count);
        }

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
        NeuralOnnxExporter.AddEnsembleScore(graph, [.. Members.Select(m => m.Weights)], userIds, itemIds, prefix, prefix + "score");

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
            values["neural.ensemble"] = Invariant(options.Ensemble);
        }

        values["neural.learning_rate_decay"] = Invariant(options.LearningRateDecay);
        // The mode Auto resolved to for this catalog: lazy and dense Adam train differently.
        values["neural.embedding_updates"] = options.UsesLazyEmbeddingUpdates(Result.Weights.UserCount, Result.Weights.ItemCount) ? "lazy" : "dense";
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

        if ((EnsembleValidationRmse ?? Result.FinalReport.ValidationRmse) is { } validation)
        {
            metrics["neural.validation_rmse"] = validation;
        }

        if (Members.Count > 1)
        {
            for (var m = 0; m < Members.Count; m++)
            {
                if (Members[m].FinalReport.ValidationRmse is { } member)
                {
                    metrics[$"neural.member_validation_rmse.{m}"] = member;
                }
            }
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
