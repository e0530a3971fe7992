using System.Diagnostics;
using Recommender.Data;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Blend;

/// <summary>
/// The blend kind's training side. It trains after the rating kinds: their models (and a
/// baseline it fits itself on the fit part) become members, whose clipped scores on the
/// validation part are regressed on the validation ratings by least squares. The test split is
/// then scored once, like every kind's.
/// </summary>
public sealed class BlendTrainingKind : ITrainingKind
{
    public string Name => "blend";

    public bool IsRequested(TrainingRequest request) => request?.Blend is not null;

    /// <summary>
    /// AutoRec needs only the fit and validation parts: it trains on its own thread from the
    /// start of the run, beside MF and the neural network, instead of after them.
    /// </summary>
    public Task<object>? StartEarly(TrainingContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Blend?.AutoRec is not { } options || context.Validation is not { } validation
            || options.TooLargeFor(context.Fit.UserCount, context.Fit.ItemCount) is not null)
        {
            return null;
        }

        options.Validate();
        return Task.Factory.StartNew<object>(
            () => AutoRecTrainer.Train(context.Fit, validation, options, context.MinRating, context.MaxRating, cancellationToken),
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public TrainedModel Train(TrainingContext context, IProgress<TrainingEvent>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Request.Blend ?? throw new ArgumentException("The request has no blend options.", nameof(context));
        options.Validate();
        var validation = context.Validation ?? throw new InvalidOperationException(
            "The blend fits its weights on the validation part, and this run has none: give a validation fraction above 0.");
        var started = Stopwatch.GetTimestamp();
        var members = context.Trained.OfType<IBlendableModel>().ToList();
        AutoRecResult? autoRec = null;
        // A catalog too large for the autoencoder's dense matrices trains the rest of the blend and
        // records why the member is missing (the manifest's blend.autorec.left_out).
        var autoRecLeftOut = options.AutoRec?.TooLargeFor(context.Fit.UserCount, context.Fit.ItemCount);
        if (autoRecLeftOut is null && options.AutoRec is { } autoRecOptions)
        {
            autoRec = context.EarlyWork is { } early
                ? (AutoRecResult)early.GetAwaiter().GetResult()
                : AutoRecTrainer.Train(context.Fit, validation, autoRecOptions, context.MinRating, context.MaxRating, cancellationToken);
            members.Add(new FactorizationMember("autorec", autoRec.Model));
        }

        if (options.IncludeBaseline)
        {
            members.Add(BaselineModel.Fit(context.Fit, options.BaselineUserShrinkage, options.BaselineItemShrinkage));
        }

        if (members.Count == 0)
        {
            throw new InvalidOperationException("The blend has no members: train a rating kind with it or include the baseline.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var columns = members.Select(m => ClippedScores(m, validation, context.MinRating, context.MaxRating)).ToList();
        var weights = BlendWeights.Fit(columns, validation.Values, options.Ridge);
        var fit = new BlendFit(
            weights,
            [.. columns.Select(c => Rmse(validation.Values, n => c[n]))],
            Rmse(validation.Values, n => Math.Clamp(weights.Predict(columns, n), context.MinRating, context.MaxRating)),
            CrossValidatedRmse(columns, validation.Values, options, context.MinRating, context.MaxRating));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var scorer = new BlendScorer(members, weights, context.MinRating, context.MaxRating);
        // The members have no rows for users and items without a training rating; a member kind
        // that predicts them from side features (NeuMF) answers for the blend there, as served.
        var coldFrom = context.Trained.FirstOrDefault(m => m.ColdScorer is not null && m is IBlendableModel member && members.Contains(member));
        var evaluation = context.Evaluate(scorer.Score, cancellationToken, coldFrom?.ColdScorer);
        // Each member's test RMSE, scored once for the record (nothing is chosen with it): MF and
        // the neural model report their own; the members the blend trained itself have no other.
        IReadOnlyList<double>? memberTestRmse = context.Set.TestCount == 0
            ? null
            : [.. members.Select(m => TestRmse(m, context))];
        return new BlendTrainedModel(options, members, fit, context.MinRating, context.MaxRating, elapsed, evaluation)
        {
            EpochChosenOn = context.EpochChosenOn,
            AutoRec = autoRec,
            AutoRecLeftOut = autoRecLeftOut,
            MemberTestRmse = memberTestRmse,
            ColdPairsFrom = coldFrom?.Kind,
            ColdScorer = coldFrom?.ColdScorer,
        };
    }

    internal static float[] ClippedScores(IBlendableModel member, IndexedRatings pairs, float min, float max)
    {
        var scores = new float[pairs.Count];
        member.Score(pairs.Users, pairs.Items, scores);
        System.Numerics.Tensors.TensorPrimitives.Clamp(scores, min, max, scores);
        return scores;
    }

    /// <summary>RMSE over the whole test part: known pairs clipped, cold pairs at the training mean (as every kind is scored).</summary>
    private static double TestRmse(IBlendableModel member, TrainingContext context)
    {
        var known = context.Set.TestKnown;
        var scores = ClippedScores(member, known, context.MinRating, context.MaxRating);
        double squared = 0;
        for (var n = 0; n < known.Count; n++)
        {
            var error = known.Values[n] - scores[n];
            squared += error * error;
        }

        foreach (var value in context.Set.TestCold.Values)
        {
            var error = value - context.TrainMean;
            squared += error * error;
        }

        return Math.Sqrt(squared / context.Set.TestCount);
    }

    /// <summary>The RMSE of weights fitted on all folds but one, on that fold: the blend's out-of-sample validation error.</summary>
    private static double CrossValidatedRmse(List<float[]> columns, float[] targets, BlendTrainingOptions options, float min, float max)
    {
        var folds = options.CrossValidationFolds;
        double squared = 0;
        for (var fold = 0; fold < folds; fold++)
        {
            var train = Enumerable.Range(0, targets.Length).Where(n => n % folds != fold).ToArray();
            var held = Enumerable.Range(0, targets.Length).Where(n => n % folds == fold).ToArray();
            var weights = BlendWeights.Fit([.. columns.Select(c => train.Select(n => c[n]).ToArray())], [.. train.Select(n => targets[n])], options.Ridge);
            foreach (var n in held)
            {
                var error = targets[n] - Math.Clamp(weights.Predict(columns, n), min, max);
                squared += error * error;
            }
        }

        return Math.Sqrt(squared / targets.Length);
    }

    private static double Rmse(float[] targets, Func<int, double> predict)
    {
        double squared = 0;
        for (var n = 0; n < targets.Length; n++)
        {
            var error = targets[n] - predict(n);
            squared += error * error;
        }

        return Math.Sqrt(squared / targets.Length);
    }
}

/// <summary>The fitted weights and how they did on the validation part: each member alone, the blend in sample, and cross-validated.</summary>
public sealed record BlendFit(BlendWeights Weights, IReadOnlyList<double> MemberValidationRmse, double ValidationRmse, double CrossValidatedRmse);
