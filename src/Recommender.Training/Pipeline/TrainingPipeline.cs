using System.Diagnostics;
using System.Globalization;
using Recommender.Data;
using Recommender.Models.Artifacts;
using Recommender.Models.Onnx;
using Recommender.Models.Repository;

namespace Recommender.Training.Pipeline;

/// <summary>
/// Dataset → split → train every requested kind → evaluate each on the held-out part → publish
/// one version atomically. The CLI and the trainer service both run training through this class;
/// it knows no kind by name (see <see cref="TrainingKinds"/>). Nothing is visible in the
/// repository until the final commit; a failure or cancellation deletes the draft.
/// </summary>
public static class TrainingPipeline
{
    public static TrainingOutcome Run(TrainingRequest request, ModelRepository repository,
        IProgress<TrainingEvent>? progress = null, CancellationToken cancellationToken = default, IReadOnlyList<ITrainingKind>? kinds = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(repository);
        var requested = (kinds ?? TrainingKinds.All).Where(k => k.IsRequested(request)).ToArray();
        if (requested.Length == 0)
        {
            throw new ArgumentException("Nothing to train: give the options of at least one model kind.", nameof(request));
        }

        ModelNames.Validate(request.ModelName);
        var total = Stopwatch.StartNew();
        var dataset = DatasetLoader.Load(request.DatasetFolder, cancellationToken);
        var split = DatasetSplitter.Split(dataset, request.Split, request.SplitSeed, cancellationToken);
        var set = TrainingSet.Build(split);
        var (minRating, maxRating) = RatingScale(dataset.Ratings);
        var trainMean = set.Train.Count > 0 ? set.Train.Values.Average() : (minRating + maxRating) / 2;
        var prepareTime = total.Elapsed;
        progress?.Report(new DatasetPrepared(dataset.Name, dataset.Ratings.Count, set.Train.Count, set.TestCount,
            set.UserMap.Count, set.ItemMap.Count, prepareTime.TotalSeconds));

        var context = new TrainingContext(request, dataset, set, minRating, maxRating, trainMean);
        var trained = new List<TrainedModel>();
        foreach (var kind in requested)
        {
            var model = kind.Train(context, progress, cancellationToken);
            var scorer = model.HeldOutScorer;
            model.SetRankings(
                model.Evaluation is null && scorer is not null ? context.EvaluateRanking(scorer, RankingMetrics.DefaultRelevanceThreshold, cancellationToken) : null,
                scorer is null ? null : context.EvaluateRanking(scorer, null, cancellationToken));

            trained.Add(model);
        }

        // The same chart for everyone, ranked on the same split: a model below it is not a recommender.
        var chart = PopularityBaseline.Fit(set.Train).Scorer;
        var popularity = new PopularityRanking(
            context.EvaluateRanking(chart, RankingMetrics.DefaultRelevanceThreshold, cancellationToken),
            context.EvaluateRanking(chart, null, cancellationToken));

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
        foreach (var model in trained)
        {
            model.WriteTo(draft, onnxMetadata);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var manifest = draft.Commit(new DatasetInfo(dataset.Name, DatasetFingerprint.Compute(dataset.Ratings)),
            HyperParameters(request, trained, minRating, maxRating),
            Metrics(set, trainMean, trained, popularity),
            requiredVersion: version);
        return new TrainingOutcome(manifest, trained, prepareTime, exportWatch.Elapsed, total.Elapsed) { Popularity = popularity };
    }

    /// <summary>The rating scale: 1–5 for MovieLens integer stars, 0.5–5 where half stars occur.</summary>
    private static (float Min, float Max) RatingScale(RatingTable ratings)
    {
        var min = ratings.Count == 0 ? 1f : System.Numerics.Tensors.TensorPrimitives.Min(ratings.Values);
        return (min < 1f ? 0.5f : 1f, 5f);
    }

    private static Dictionary<string, string> HyperParameters(TrainingRequest request, IEnumerable<TrainedModel> trained, float min, float max)
    {
        var values = new Dictionary<string, string>
        {
            [ManifestKeys.MinRating] = Invariant(min),
            [ManifestKeys.MaxRating] = Invariant(max),
            ["split"] = request.Split.ToString(),
            ["split.seed"] = Invariant(request.SplitSeed),
        };
        foreach (var model in trained)
        {
            model.AddHyperParameters(values);
        }

        return values;
    }

    private static Dictionary<string, double> Metrics(TrainingSet set, float trainMean, IEnumerable<TrainedModel> trained, PopularityRanking popularity)
    {
        var metrics = new Dictionary<string, double>
        {
            [ManifestKeys.TrainingMeanRating] = trainMean,
            ["train.ratings"] = set.Train.Count,
            ["test.ratings"] = set.TestCount,
            ["test.cold_ratings"] = set.TestCold.Count,
        };
        foreach (var model in trained)
        {
            model.AddMetrics(metrics);
        }

        TrainedModel.AddRanking(metrics, "popularity", popularity.RatedAtLeast4, popularity.AllInteractions);
        return metrics;
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
