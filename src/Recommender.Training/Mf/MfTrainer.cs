using System.Diagnostics;
using Recommender.Data;

namespace Recommender.Training.Mf;

/// <summary>
/// Trains a matrix factorization by SGD: the seed notebook's model (<see cref="MfVariant.Seed"/>)
/// or the biased Funk SVD (<see cref="MfVariant.Biased"/>) with parallel blocked SGD. Reports each
/// epoch through <c>progress</c>, stops early on validation RMSE when asked, and honours
/// cancellation between blocks of ratings. <c>progress.Report</c> is called on the training
/// thread after each epoch (a slow handler delays the next epoch; hand work off if it is heavy).
/// </summary>
public static class MfTrainer
{
    /// <summary>Ratings per cancellation check on the sequential seed path.</summary>
    private const int SeedChunk = 8192;

    /// <exception cref="ArgumentException">Invalid options or ratings (the message names the option).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; no model is returned.</exception>
    /// <exception cref="InvalidOperationException">Training diverged (the loss became NaN or infinite).</exception>
    public static MfTrainingResult Train(
        IndexedRatings train,
        IndexedRatings? validation,
        MfTrainingOptions options,
        IProgress<MfEpochReport>? progress = null,
        CancellationToken cancellationToken = default) =>
        Train(train, validation, options, progress, null, null, cancellationToken);

    /// <summary>Starts from the given unpadded row-major factors instead of random ones (biases start at zero).</summary>
    internal static MfTrainingResult Train(
        IndexedRatings train,
        IndexedRatings? validation,
        MfTrainingOptions options,
        IProgress<MfEpochReport>? progress,
        float[]? initialUserFactors,
        float[]? initialItemFactors,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckData(train, validation, options);
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Variant == MfVariant.Bayesian)
        {
            return Bayesian.BayesianMfTrainer.Train(train, validation, options, progress, cancellationToken);
        }

        var biased = options.Variant == MfVariant.Biased;
        var threads = options.ResolveThreads();

        // The biased kernel works on whole SIMD vectors; the seed path stays unpadded and scalar.
        var stride = MfParameters.StrideFor(options.Factors, padded: biased);
        var grid = biased
            ? MfBlockGrid.Build(train, BlockCount(options, threads, train, stride), options.Seed)
            : null;
        var parameters = CreateParameters(train, options, stride, grid, initialUserFactors, initialItemFactors);
        var trainEntries = grid is null ? parameters.ToEntries(train) : null;
        var validationEntries = validation is null ? null : parameters.ToEntries(validation);

        using var pool = new SgdWorkerPool(threads);
        var blocked = grid is null ? null : new BlockedSgd(parameters, grid, pool);
        var evaluator = new EpochEvaluator(parameters, pool, options.MinRating, options.MaxRating);

        var reports = new List<MfEpochReport>(options.Epochs);
        var early = options.EarlyStoppingPatience > 0;
        MfParameters? best = null;
        var bestRmse = double.PositiveInfinity;
        var bestEpoch = 0;
        var stoppedEarly = false;
        var learningRate = options.LearningRate;

        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var epochStart = Stopwatch.GetTimestamp();
            if (blocked is null)
            {
                RunSeedEpoch(parameters, train, options, learningRate, cancellationToken);
            }
            else
            {
                blocked.RunEpoch(learningRate, options.Regularization, cancellationToken);
            }

            var sgdSeconds = Stopwatch.GetElapsedTime(epochStart).TotalSeconds;
            var (trainMse, _) = grid is null ? evaluator.Evaluate(trainEntries!) : evaluator.Evaluate(grid);
            if (!double.IsFinite(trainMse))
            {
                throw new InvalidOperationException(
                    $"MF training diverged at epoch {epoch} (train MSE {trainMse}); lower {nameof(MfTrainingOptions.LearningRate)} (now {options.LearningRate}).");
            }

            double? rmse = null;
            double? mae = null;
            if (validationEntries is not null)
            {
                var (mse, absolute) = evaluator.Evaluate(validationEntries);
                rmse = Math.Sqrt(mse);
                mae = absolute;
            }

            var report = new MfEpochReport(
                epoch,
                learningRate,
                trainMse,
                rmse,
                mae,
                Stopwatch.GetElapsedTime(epochStart).TotalSeconds,
                train.Count / Math.Max(sgdSeconds, 1e-9));
            reports.Add(report);
            progress?.Report(report);

            if (rmse is { } current && early)
            {
                if (current < bestRmse)
                {
                    bestRmse = current;
                    bestEpoch = epoch;
                    parameters.CopyTo(best ??= parameters.CreateLike());
                }
                else if (epoch - bestEpoch >= options.EarlyStoppingPatience)
                {
                    stoppedEarly = true;
                    break;
                }
            }

            learningRate *= options.LearningRateDecay;
        }

        var lastEpoch = reports.Count;
        if (best is not null && bestEpoch != lastEpoch)
        {
            best.CopyTo(parameters);
        }

        return new MfTrainingResult(
            parameters.TakeModel(options.MinRating, options.MaxRating),
            reports,
            early ? bestEpoch : lastEpoch,
            stoppedEarly,
            Stopwatch.GetElapsedTime(started),
            (long)train.Count * lastEpoch,
            threads);
    }

    private static int BlockCount(MfTrainingOptions options, int threads, IndexedRatings train, int stride) =>
        options.BlockCountOverride > 0
            ? options.BlockCountOverride
            : Math.Max(
                MfBlockGrid.MinBlockCount(train.UserCount, train.ItemCount),
                MfBlockSchedule.BlockCountFor(threads, train.Count, train.UserCount, train.ItemCount, stride));

    private static MfParameters CreateParameters(IndexedRatings train, MfTrainingOptions options, int stride, MfBlockGrid? grid, float[]? userFactors, float[]? itemFactors)
    {
        var biased = options.Variant == MfVariant.Biased;
        var mean = biased ? Mean(train.Values) : 0f;
        if (userFactors is not null && itemFactors is not null)
        {
            return MfParameters.FromFactors(train.UserCount, train.ItemCount, options.Factors, stride, biased, mean, userFactors, itemFactors, grid?.UserRows, grid?.ItemRows);
        }

        return MfParameters.CreateRandom(train.UserCount, train.ItemCount, options.Factors, stride, biased, mean, options.EffectiveInitStd, options.Seed, grid?.UserRows, grid?.ItemRows);
    }

    private static void RunSeedEpoch(MfParameters parameters, IndexedRatings train, MfTrainingOptions options, float learningRate, CancellationToken cancellationToken)
    {
        // The notebook's order: the ratings as they are in the arrays. Chunks only add cancellation points.
        for (var start = 0; start < train.Count; start += SeedChunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(SeedChunk, train.Count - start);
            SeedSgd.Run(
                parameters,
                train.Users.AsSpan(start, count),
                train.Items.AsSpan(start, count),
                train.Values.AsSpan(start, count),
                learningRate,
                options.Regularization,
                options.MinRating,
                options.MaxRating);
        }
    }

    private static float Mean(float[] values)
    {
        double sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }

        return (float)(sum / values.Length);
    }

    private static void CheckData(IndexedRatings train, IndexedRatings? validation, MfTrainingOptions options)
    {
        if (train.Count == 0 || train.UserCount <= 0 || train.ItemCount <= 0)
        {
            throw new ArgumentException("Training needs at least one rating, one user and one item.", nameof(train));
        }

        RatingIndexCheck.Ensure(train, train.UserCount, train.ItemCount, nameof(train));
        if (validation is not null)
        {
            if (validation.Count == 0)
            {
                throw new ArgumentException("Validation ratings, when given, must not be empty.", nameof(validation));
            }

            RatingIndexCheck.Ensure(validation, train.UserCount, train.ItemCount, nameof(validation));
        }
        else if (options.EarlyStoppingPatience > 0)
        {
            throw new ArgumentException(
                $"MF training option {nameof(MfTrainingOptions.EarlyStoppingPatience)} is {options.EarlyStoppingPatience} but no validation ratings were given.",
                nameof(validation));
        }
    }
}
