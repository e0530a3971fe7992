using System.Diagnostics;
using System.Globalization;
using Recommender.Data;
using Recommender.Models.Artifacts;
using Recommender.Models.Mf;
using Recommender.Models.Onnx;
using Recommender.Models.Repository;
using Recommender.Training.Mf;
using Recommender.Training.Neural;

namespace Recommender.Training.Pipeline;

/// <summary>
/// Dataset → split → train (MF and/or neural) → evaluate on the held-out part → publish one
/// version atomically. The CLI and the trainer service both run training through this class.
/// Nothing is visible in the repository until the final commit; a failure or cancellation
/// deletes the draft.
/// </summary>
public static class TrainingPipeline
{
    public const string MfOnnxFile = "mf.onnx";
    public const string MfTopKOnnxFile = "mf_topk.onnx";
    public const string NeuralRankOnnxFile = "neural_rank.onnx";

    public static TrainingOutcome Run(TrainingRequest request, ModelRepository repository,
        IProgress<TrainingEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(repository);
        if (request.Mf is null && request.Neural is null)
        {
            throw new ArgumentException("Nothing to train: give MF options, neural options or both.", nameof(request));
        }

        ModelNames.Validate(request.ModelName);
        var total = Stopwatch.StartNew();
        var dataset = DatasetLoader.Load(request.DatasetFolder, cancellationToken);
        var split = DatasetSplitter.Split(dataset, request.Split, request.SplitSeed, cancellationToken);
        var set = TrainingSet.Build(split);
        var validation = set.TestKnown.Count > 0 ? set.TestKnown : null;
        var (minRating, maxRating) = RatingScale(dataset.Ratings);
        var trainMean = set.Train.Count > 0 ? set.Train.Values.Average() : (minRating + maxRating) / 2;
        var prepareTime = total.Elapsed;
        progress?.Report(new DatasetPrepared(dataset.Name, dataset.Ratings.Count, set.Train.Count, set.TestCount,
            set.UserMap.Count, set.ItemMap.Count, prepareTime.TotalSeconds));

        MfTrainingResult? mf = null;
        EvaluationReport? mfEvaluation = null;
        if (request.Mf is { } mfOptions)
        {
            mf = MfTrainer.Train(set.Train, validation, mfOptions with { MinRating = minRating, MaxRating = maxRating },
                new CallbackProgress<MfEpochReport>(e => progress?.Report(new EpochFinished("mf", e.Epoch, mfOptions.Epochs, e.TrainMse, e.ValidationRmse, e.ValidationMae, e.Seconds))),
                cancellationToken);
            var model = mf.Model;
            mfEvaluation = Evaluate(set, request, (u, i, s) => Score(model, u, i, s), minRating, maxRating, trainMean, cancellationToken);
        }

        NeuralTrainingResult? neural = null;
        EvaluationReport? neuralEvaluation = null;
        if (request.Neural is { } neuralOptions)
        {
            neural = NeuralTrainer.Train(set.Train, validation, neuralOptions,
                new CallbackProgress<NeuralEpochReport>(e => progress?.Report(new EpochFinished("neural", e.Epoch, e.Epochs, e.TrainMse, e.ValidationRmse, e.ValidationMae, e.Duration.TotalSeconds))),
                cancellationToken);
            var weights = neural.Weights;
            neuralEvaluation = Evaluate(set, request,
                (u, i, s) => NeuralTrainer.PredictWithTorch(weights, u, i).CopyTo(s), minRating, maxRating, trainMean, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new Exporting());
        var exportWatch = Stopwatch.StartNew();
        using var draft = repository.BeginPublish(request.ModelName);
        var version = draft.NextVersion;
        var ids = new IdMaps(set.UserMap, set.ItemMap);
        var onnxMetadata = new Dictionary<string, string>
        {
            [OnnxMetadataKeys.ModelName] = request.ModelName,
            [OnnxMetadataKeys.ModelVersion] = version.ToString(CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.IdMapFingerprint] = ids.Fingerprint(),
        };
        draft.AddIdMaps(ids);
        draft.AddCatalog(new ItemCatalog(dataset.Movies));
        draft.AddSeenItems(SeenItems.FromRatings(set.Train));
        if (mf is not null)
        {
            draft.AddMfModel(mf.Model);
            MfOnnxExporter.ExportPairToFile(mf.Model, onnxMetadata, draft.PathFor(MfOnnxFile));
            MfOnnxExporter.ExportTopKToFile(mf.Model, onnxMetadata, draft.PathFor(MfTopKOnnxFile));
            draft.AddModel(new ModelEntry(ModelEntry.MfOnnxKind, MfOnnxFile));
            draft.AddModel(new ModelEntry(ModelEntry.MfTopKOnnxKind, MfTopKOnnxFile));
        }

        if (neural is not null)
        {
            NeuralOnnxExporter.ExportToFile(neural.Weights, onnxMetadata, draft.PathFor(ArtifactFileNames.NeuralOnnx));
            draft.AddModel(ModelEntry.Neural(ArtifactFileNames.NeuralOnnx, neural.Weights.EmbeddingDim,
                [.. neural.Weights.Layers.SkipLast(1).Select(l => l.OutputSize)]));
            NeuralRankOnnxExporter.ExportToFile(neural.Weights, onnxMetadata, draft.PathFor(NeuralRankOnnxFile));
            draft.AddModel(new ModelEntry(ModelEntry.NeuralRankOnnxKind, NeuralRankOnnxFile));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var manifest = draft.Commit(new DatasetInfo(dataset.Name, DatasetFingerprint.Compute(dataset.Ratings)),
            HyperParameters(request, minRating, maxRating),
            Metrics(set, trainMean, mf, mfEvaluation, neural, neuralEvaluation),
            requiredVersion: version);
        return new TrainingOutcome(manifest, mf, mfEvaluation, neural, neuralEvaluation, prepareTime, exportWatch.Elapsed, total.Elapsed);
    }

    /// <summary>The rating scale: 1–5 for MovieLens integer stars, 0.5–5 where half stars occur.</summary>
    private static (float Min, float Max) RatingScale(RatingTable ratings)
    {
        var min = ratings.Count == 0 ? 1f : System.Numerics.Tensors.TensorPrimitives.Min(ratings.Values);
        return (min < 1f ? 0.5f : 1f, 5f);
    }

    private static void Score(MfModel model, ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> scores)
    {
        for (var i = 0; i < users.Length; i++)
        {
            scores[i] = model.RawScore(users[i], items[i]);
        }
    }

    private static EvaluationReport? Evaluate(TrainingSet set, TrainingRequest request, PairScorer scorer,
        float min, float max, float trainMean, CancellationToken cancellationToken) =>
        set.TestCount == 0
            ? null
            : HeldOutEvaluator.Evaluate(set, scorer, min, max, trainMean, request.RankingK, request.MaxRankingUsers, request.SplitSeed, cancellationToken);

    private static Dictionary<string, string> HyperParameters(TrainingRequest request, float min, float max)
    {
        var values = new Dictionary<string, string>
        {
            [ManifestKeys.MinRating] = Invariant(min),
            [ManifestKeys.MaxRating] = Invariant(max),
            ["split"] = request.Split.ToString(),
            ["split.seed"] = Invariant(request.SplitSeed),
        };
        if (request.Mf is { } mf)
        {
            values["mf.variant"] = mf.Variant.ToString().ToLowerInvariant();
            values["mf.factors"] = Invariant(mf.Factors);
            values["mf.epochs"] = Invariant(mf.Epochs);
            values["mf.learning_rate"] = Invariant(mf.LearningRate);
            values["mf.learning_rate_decay"] = Invariant(mf.LearningRateDecay);
            values["mf.regularization"] = Invariant(mf.Regularization);
            values["mf.seed"] = Invariant(mf.Seed);
        }

        if (request.Neural is { } neural)
        {
            values["neural.embedding_dim"] = Invariant(neural.EmbeddingDim);
            values["neural.hidden_sizes"] = string.Join(",", neural.HiddenSizes);
            values["neural.epochs"] = Invariant(neural.Epochs);
            values["neural.batch_size"] = Invariant(neural.BatchSize);
            values["neural.learning_rate"] = Invariant(neural.LearningRate);
            values["neural.dropout"] = Invariant(neural.Dropout);
            values["neural.weight_decay"] = Invariant(neural.WeightDecay);
            values["neural.seed"] = Invariant(neural.Seed);
        }

        return values;
    }

    private static Dictionary<string, double> Metrics(TrainingSet set, float trainMean,
        MfTrainingResult? mf, EvaluationReport? mfEvaluation, NeuralTrainingResult? neural, EvaluationReport? neuralEvaluation)
    {
        var metrics = new Dictionary<string, double>
        {
            [ManifestKeys.TrainingMeanRating] = trainMean,
            ["train.ratings"] = set.Train.Count,
            ["test.ratings"] = set.TestCount,
            ["test.cold_ratings"] = set.TestCold.Count,
        };
        if (mf is not null)
        {
            metrics["mf.train_mse"] = mf.Epochs[mf.BestEpoch - 1].TrainMse;
            metrics["mf.best_epoch"] = mf.BestEpoch;
            metrics["mf.train_seconds"] = mf.Elapsed.TotalSeconds;
            AddEvaluation(metrics, "mf", mfEvaluation);
        }

        if (neural is not null)
        {
            metrics["neural.train_mse"] = neural.FinalReport.TrainMse;
            metrics["neural.best_epoch"] = neural.BestEpoch;
            metrics["neural.train_seconds"] = neural.Elapsed.TotalSeconds;
            AddEvaluation(metrics, "neural", neuralEvaluation);
        }

        return metrics;
    }

    private static void AddEvaluation(Dictionary<string, double> metrics, string prefix, EvaluationReport? report)
    {
        if (report is null)
        {
            return;
        }

        metrics[$"{prefix}.rmse"] = report.Rmse;
        metrics[$"{prefix}.mae"] = report.Mae;
        var k = report.Ranking.K;
        metrics[$"{prefix}.precision_at_{k}"] = report.Ranking.PrecisionAtK;
        metrics[$"{prefix}.recall_at_{k}"] = report.Ranking.RecallAtK;
        metrics[$"{prefix}.ndcg_at_{k}"] = report.Ranking.NdcgAtK;
        metrics[$"{prefix}.map_at_{k}"] = report.Ranking.MapAtK;
        metrics[$"{prefix}.catalog_coverage_at_{k}"] = report.Ranking.CatalogCoverage;
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
