using System.Diagnostics;
using Recommender.Data;
using Recommender.Models.Implicit;
using Recommender.Training.Mf;

namespace Recommender.Training.Implicit;

/// <summary>
/// Trains an implicit-feedback factorization by weighted alternating least squares (Hu, Koren,
/// Volinsky 2008) with the refinements of Rendle et al. 2022 ("Revisiting iALS"): a separate
/// weight α0 for unobserved pairs and frequency-scaled regularization. Each epoch re-solves every
/// item row against the user factors, then every user row against the item factors, so the user
/// vectors of the result are exactly what <see cref="ImplicitFoldIn"/> gives for their histories
/// (with the Cholesky solver). Per half-step, the fixed side's Gramian is computed once and each
/// row adds only its observed entries. The result is the same for a seed on any thread count.
/// <c>progress.Report</c> runs on the training thread after each epoch.
/// </summary>
public static class ImplicitTrainer
{
    private const int UserStream = 1;
    private const int ItemStream = 2;

    /// <exception cref="ArgumentException">Invalid options or ratings (the message names the option), or no rating is an interaction.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; no model is returned.</exception>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite, or a row system was not positive definite.</exception>
    public static ImplicitTrainingResult Train(
        IndexedRatings train,
        IndexedRatings? validation,
        ImplicitTrainingOptions options,
        IProgress<ImplicitEpochReport>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckData(train, validation, options.Factors);
        cancellationToken.ThrowIfCancellationRequested();

        var parameters = options.SolveParameters;
        var threads = options.ResolveThreads();
        var k = options.Factors;
        var (byUser, byItem, meanRating) = InteractionMatrix.Build(train, parameters);
        if (byUser.Count == 0)
        {
            throw new ArgumentException(
                $"No training rating is an interaction: all {train.Count} are below {nameof(ImplicitTrainingOptions.RatingThreshold)} {options.RatingThreshold}.",
                nameof(train));
        }

        var userFactors = RandomFactors(train.UserCount, k, options.EffectiveInitStd, SeedMixer.Mix(options.Seed, UserStream));
        var itemFactors = RandomFactors(train.ItemCount, k, options.EffectiveInitStd, SeedMixer.Mix(options.Seed, ItemStream));
        var userGramian = new float[k * k];
        var itemGramian = new float[k * k];
        ImplicitGramian.Compute(userFactors, train.UserCount, k, userGramian, threads);

        var halfStep = new AlsHalfStep(k, threads, options.Solver, options.CgSteps, parameters);
        var userTerms = new double[train.UserCount];
        var probe = validation is not null && options.ValidationUsers > 0
            ? RankingProbe.Create(train, validation, options.ValidationUsers, options.ValidationRelevanceThreshold, options.Seed, threads)
            : null;

        var reports = new List<ImplicitEpochReport>(options.Epochs);
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var epochStart = Stopwatch.GetTimestamp();
            halfStep.Run(byItem, itemFactors, userFactors, userGramian, null, cancellationToken);
            ImplicitGramian.Compute(itemFactors, train.ItemCount, k, itemGramian, threads);
            halfStep.Run(byUser, userFactors, itemFactors, itemGramian, userTerms, cancellationToken);
            ImplicitGramian.Compute(userFactors, train.UserCount, k, userGramian, threads);
            var solveSeconds = Stopwatch.GetElapsedTime(epochStart).TotalSeconds;

            var loss = ImplicitObjective.Total(userTerms, itemFactors, userGramian, itemGramian, byItem, parameters, k);
            if (!double.IsFinite(loss))
            {
                throw new InvalidOperationException(
                    $"Implicit ALS diverged at epoch {epoch} (loss {loss}); raise {nameof(ImplicitTrainingOptions.Regularization)} (now {options.Regularization}).");
            }

            double? precision = null;
            double? ndcg = null;
            if (probe is not null)
            {
                (var p, var n) = probe.Evaluate(userFactors, itemFactors, k, cancellationToken);
                precision = p;
                ndcg = n;
            }

            var report = new ImplicitEpochReport(
                epoch,
                loss,
                precision,
                ndcg,
                probe?.UserCount ?? 0,
                Stopwatch.GetElapsedTime(epochStart).TotalSeconds,
                solveSeconds);
            reports.Add(report);
            progress?.Report(report);
        }

        var itemInteractions = new int[train.ItemCount];
        for (var i = 0; i < itemInteractions.Length; i++)
        {
            itemInteractions[i] = byItem.RowLength(i);
        }

        var model = new ImplicitModel(train.UserCount, train.ItemCount, k, userFactors, itemFactors, itemInteractions, parameters, meanRating);
        return new ImplicitTrainingResult(model, reports, Stopwatch.GetElapsedTime(started), byUser.Count, threads);
    }

    private static float[] RandomFactors(int rows, int k, float std, int seed)
    {
        var sampler = new GaussianSampler(seed);
        var factors = new float[rows * k];
        for (var n = 0; n < factors.Length; n++)
        {
            factors[n] = sampler.Next(std);
        }

        return factors;
    }

    private static void CheckData(IndexedRatings train, IndexedRatings? validation, int factors)
    {
        if (train.Count == 0 || train.UserCount <= 0 || train.ItemCount <= 0)
        {
            throw new ArgumentException("Training needs at least one rating, one user and one item.", nameof(train));
        }

        if ((long)train.UserCount * factors > Array.MaxLength || (long)train.ItemCount * factors > Array.MaxLength)
        {
            // Factor rows are addressed with int offsets; refuse sizes where they could overflow.
            throw new ArgumentException($"{train.UserCount} users or {train.ItemCount} items are too many for one factor matrix of {factors} columns.", nameof(train));
        }

        RatingIndexCheck.Ensure(train, train.UserCount, train.ItemCount, nameof(train));
        if (validation is not null)
        {
            RatingIndexCheck.Ensure(validation, train.UserCount, train.ItemCount, nameof(validation));
        }
    }
}
