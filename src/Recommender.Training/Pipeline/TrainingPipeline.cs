using System.Diagnostics;
using System.Globalization;
using Recommender.Data;
using Recommender.Models.Artifacts;
using Recommender.Models.Onnx;
using Recommender.Models.Repository;

namespace Recommender.Training.Pipeline;

/// <summary>
/// Dataset → split → carve a validation part from the training split → train every requested
/// kind on the rest, choosing epochs on validation → evaluate each once on the held-out part → publish
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
        var written = TrainAndWrite(request, repository, requested, progress, total, cancellationToken);
        using var draft = written.Draft;

        // Commit opens the whole version to check it (factors, seen items, id maps: as much again
        // as the models). The training ratings were only referenced from TrainAndWrite's frame,
        // so they are garbage now, and freed before that second copy is read.
        ReleaseFreedMemory();
        var manifest = draft.Commit(written.Info, written.HyperParameters, written.Metrics, requiredVersion: written.Version);
        return new TrainingOutcome(manifest, written.Trained, written.PrepareTime, written.ExportWatch.Elapsed, total.Elapsed)
        {
            Popularity = written.Popularity,
            KindTimes = written.KindTimes,
        };
    }

    /// <summary>
    /// Everything up to the commit: prepare, train every kind, write the draft. A method of its
    /// own so that nothing in <see cref="Run"/>'s frame (tier-0 code keeps locals and temporaries
    /// alive to the method's end) holds the dataset or the training set during the commit.
    /// The draft is disposed (deleted) here if anything fails after it is begun.
    /// </summary>
    private static WrittenVersion TrainAndWrite(TrainingRequest request, ModelRepository repository, ITrainingKind[] requested,
        IProgress<TrainingEvent>? progress, Stopwatch total, CancellationToken cancellationToken)
    {
        // Out parameters, not a returned tuple: the ids and timestamps Prepare drops stay unreachable.
        Prepare(request, cancellationToken, out var dataset, out var ratingCount, out var datasetInfo, out var set, out var minRating, out var maxRating);
        ReleaseFreedMemory();
        var trainMean = set.Train.Count > 0 ? set.Train.Values.Average() : (minRating + maxRating) / 2;
        var trained = new List<TrainedModel>();
        var context = TrainingContext.Create(request, dataset, set, minRating, maxRating, trainMean, trained.AsReadOnly());
        var prepareTime = total.Elapsed;
        progress?.Report(new DatasetPrepared(dataset.Name, ratingCount, set.Train.Count, set.TestCount,
            set.UserMap.Count, set.ItemMap.Count, prepareTime.TotalSeconds) { ValidationRatings = context.Validation?.Count ?? 0 });

        var kindTimes = new Dictionary<string, TimeSpan>();
        using (var earlyCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var early = new Dictionary<string, Task<object>>();
            try
            {
                var earlyStarted = false;
                foreach (var kind in requested)
                {
                    if (!earlyStarted && !kind.UsesEveryCore)
                    {
                        earlyStarted = true;
                        foreach (var starter in requested)
                        {
                            if (starter.StartEarly(context, earlyCancel.Token) is { } task)
                            {
                                early[starter.Name] = task;
                            }
                        }
                    }

                    var started = Stopwatch.GetTimestamp();
                    var kindContext = early.TryGetValue(kind.Name, out var work) ? context with { EarlyWork = work } : context;
                    var model = kind.Train(kindContext, progress, cancellationToken);
                    var scorer = model.HeldOutScorer;
                    model.SetRankings(
                        model.Evaluation is null && scorer is not null ? context.EvaluateRanking(scorer, RankingMetrics.DefaultRelevanceThreshold, cancellationToken) : null,
                        scorer is null ? null : context.EvaluateRanking(scorer, null, cancellationToken));
                    trained.Add(model);
                    kindTimes[kind.Name] = Stopwatch.GetElapsedTime(started);
                }
            }
            finally
            {
                // A kind failed or the run was cancelled before every early task was collected:
                // stop them and wait, so that nothing of this run still trains once Run returns.
                earlyCancel.Cancel();
                foreach (var work in early.Values)
                {
                    try
                    {
                        work.Wait(CancellationToken.None);
                    }
                    catch (AggregateException)
                    {
                        // Its kind reports its own failure when it collects it; here the run has already failed.
                    }
                }
            }
        }

        // The same chart for everyone, ranked on the same split: a model below it is not a recommender.
        var chart = PopularityBaseline.Fit(set.Train).Scorer;
        var popularity = new PopularityRanking(
            context.EvaluateRanking(chart, RankingMetrics.DefaultRelevanceThreshold, cancellationToken),
            context.EvaluateRanking(chart, null, cancellationToken));

        cancellationToken.ThrowIfCancellationRequested();

        // Training's working sets (the MF grid, solver buffers, torch tensors' managed copies) are
        // garbage now; the export allocates graphs and files of other sizes.
        ReleaseFreedMemory();
        progress?.Report(new Exporting());
        var exportWatch = Stopwatch.StartNew();
        var draft = repository.BeginPublish(request.ModelName);
        try
        {
            var version = draft.NextVersion;
            WriteArtifacts(draft, request.ModelName, version, set, dataset, trained);
            cancellationToken.ThrowIfCancellationRequested();
            return new WrittenVersion(draft, version, datasetInfo,
                HyperParameters(request, context, trained, minRating, maxRating),
                Metrics(context, trainMean, trained, popularity),
                trained, popularity, kindTimes, prepareTime, exportWatch);
        }
        catch
        {
            draft.Dispose();
            throw;
        }
    }

    /// <summary>A written, uncommitted version and what the outcome reports of the run that wrote it.</summary>
    private sealed record WrittenVersion(
        VersionDraft Draft,
        long Version,
        DatasetInfo Info,
        Dictionary<string, string> HyperParameters,
        Dictionary<string, double> Metrics,
        List<TrainedModel> Trained,
        PopularityRanking Popularity,
        Dictionary<string, TimeSpan> KindTimes,
        TimeSpan PrepareTime,
        Stopwatch ExportWatch);

    /// <summary>
    /// Writes every file of the version but the manifest. A method of its own so that what it
    /// builds only to write (the seen-items index, ONNX graphs) is unreachable once it returns.
    /// </summary>
    private static void WriteArtifacts(VersionDraft draft, string modelName, long version, TrainingSet set, Dataset dataset, IEnumerable<TrainedModel> trained)
    {
        var ids = new IdMaps(set.UserMap, set.ItemMap);
        var onnxMetadata = new Dictionary<string, string>
        {
            [OnnxMetadataKeys.ModelName] = modelName,
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
    }

    /// <summary>
    /// Loads, splits and indexes the dataset, and returns it without its raw rating columns: what
    /// later steps need of them (count, fingerprint, scale) is taken here, so the external ids and
    /// timestamps (20 bytes a rating, 200 MB at 10 M) are garbage before training allocates. A
    /// method of its own so that no local of <see cref="Run"/> keeps them alive.
    /// </summary>
    private static void Prepare(TrainingRequest request, CancellationToken cancellationToken,
        out Dataset dataset, out int ratingCount, out DatasetInfo info, out TrainingSet set, out float minRating, out float maxRating)
    {
        // Only NeuMF's side features use user profiles (age, gender, occupation); at 160 k users they
        // are tens of MB of strings read at the moment the rating columns are largest, so other runs skip them.
        var profiles = request.Neural is { SideFeatures: true };
        var loaded = DatasetLoader.Load(request.DatasetFolder, userProfiles: profiles, cancellationToken);
        info = new DatasetInfo(loaded.Name, DatasetFingerprint.Compute(loaded.Ratings));
        (minRating, maxRating) = RatingScale(loaded.Ratings);
        ratingCount = loaded.Ratings.Count;
        var split = DatasetSplitter.Split(loaded, request.Split, request.SplitSeed, cancellationToken);

        // The fingerprint is taken, so the training part's id columns may become its index columns
        // (with --split none they are the dataset's own: no copy of the ratings at all).
        set = TrainingSet.BuildConsuming(split);
        dataset = loaded with { Ratings = RatingTable.Empty };
    }

    /// <summary>
    /// A full, compacting collection that returns freed memory to the system. Called where a
    /// phase has just dropped hundreds of MB (the raw columns after indexing): the GC would
    /// otherwise keep those pages committed for later allocations of other sizes, and they count
    /// in the process's peak memory for the rest of the run. It costs one pass over the live heap
    /// (tens of ms at 10 M ratings), once per phase.
    /// </summary>
    private static void ReleaseFreedMemory() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>The rating scale: 1–5 for MovieLens integer stars, 0.5–5 where half stars occur.</summary>
    private static (float Min, float Max) RatingScale(RatingTable ratings)
    {
        var min = ratings.Count == 0 ? 1f : System.Numerics.Tensors.TensorPrimitives.Min(ratings.Values);
        return (min < 1f ? 0.5f : 1f, 5f);
    }

    private static Dictionary<string, string> HyperParameters(TrainingRequest request, TrainingContext context, IEnumerable<TrainedModel> trained, float min, float max)
    {
        var values = new Dictionary<string, string>
        {
            [ManifestKeys.MinRating] = Invariant(min),
            [ManifestKeys.MaxRating] = Invariant(max),
            ["split"] = request.Split.ToString(),
            ["split.seed"] = Invariant(request.SplitSeed),
            ["validation.fraction"] = Invariant(context.Validation is null ? 0 : request.EffectiveValidationFraction),
        };
        foreach (var model in trained)
        {
            model.AddHyperParameters(values);
        }

        return values;
    }

    private static Dictionary<string, double> Metrics(TrainingContext context, float trainMean, IEnumerable<TrainedModel> trained, PopularityRanking popularity)
    {
        var set = context.Set;
        var metrics = new Dictionary<string, double>
        {
            [ManifestKeys.TrainingMeanRating] = trainMean,
            ["train.ratings"] = set.Train.Count,
            ["fit.ratings"] = context.Fit.Count,
            ["validation.ratings"] = context.Validation?.Count ?? 0,
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
