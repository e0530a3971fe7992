using System.Diagnostics;
using Recommender.Data;
using Recommender.Models.Mf;
using Recommender.Training.Numerics;

namespace Recommender.Training.Mf.Bayesian;

/// <summary>
/// Bayesian matrix factorization by Gibbs sampling (BPMF, Salakhutdinov and Mnih 2008), with the
/// user and item biases as one more coordinate of each vector (x̃_u = [p_u, b_u] against
/// [q_i, 1]), so their prior scale is inferred too; the noise precision is sampled (or fixed).
/// Each sweep samples every user's vector given the items, then every item's given the users.
/// The prediction is the average over the samples kept after burn-in, which is itself a matrix
/// factorization: [p¹ … pˢ]/√S · [q¹ … qˢ]/√S + mean biases. So the result is an ordinary
/// <see cref="MfModel"/> with S·k factors, served and exported like any other.
/// Each row's draw depends only on (seed, sweep, row) and the other side: reproducible for a seed
/// whatever the thread count.
/// </summary>
internal static class BayesianMfTrainer
{
    private const double NoiseShape0 = 1;
    private const double NoiseRate0 = 1;

    public static MfTrainingResult Train(IndexedRatings train, IndexedRatings? validation, MfTrainingOptions options,
        IProgress<MfEpochReport>? progress, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var k = options.Factors;
        var d = k + 1;
        var threads = options.ResolveThreads();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };
        var mean = (float)train.Values.Average(v => (double)v);
        var byUser = RatingsByRow.ByUser(train);
        var byItem = RatingsByRow.ByItem(train);
        var users = Initial(train.UserCount, d, options, 1);
        var items = Initial(train.ItemCount, d, options, 2);
        var userPrior = new NormalWishartPrior(d);
        var itemPrior = new NormalWishartPrior(d);
        var alpha = options.NoisePrecision ?? 2.0;

        var kept = new List<(float[] Users, float[] Items)>();
        var validationSum = validation is null ? null : new double[validation.Count];
        var validationCurrent = validation is null ? null : new double[validation.Count];
        var reports = new List<MfEpochReport>(options.Epochs);
        var bestRmse = double.PositiveInfinity;
        var bestSamples = 0;
        var bestEpoch = 0;
        var stoppedEarly = false;
        var early = options.EarlyStoppingPatience > 0 && validation is not null;
        var rowSquaredErrors = new double[train.UserCount];

        // Where the kept samples had to be thinned to fit MaxModelBytes (MfTrainingOptions.ForData),
        // each row's factors are also averaged over every sweep after burn-in: a model of k columns
        // that uses all the sweeps, as a candidate beside the thinned samples (chosen on validation).
        var factorMean = FactorMean.IfThinned(options, train.UserCount, train.ItemCount, d);

        for (var sweep = 1; sweep <= options.Epochs; sweep++)
        {
            var sweepStart = Stopwatch.GetTimestamp();
            var hyper = new GibbsRandom(options.Seed, (4L * sweep) + 0, 0);
            userPrior.Sample(users, train.UserCount, ref hyper);
            SampleSide(users, items, byUser, userPrior, mean, alpha, d, options.Seed, (4L * sweep) + 1, parallel);
            itemPrior.Sample(items, train.ItemCount, ref hyper);
            SampleSide(items, users, byItem, itemPrior, mean, alpha, d, options.Seed, (4L * sweep) + 2, parallel);

            var sse = SquaredError(users, items, byUser, mean, d, options, rowSquaredErrors, parallel);
            if (!double.IsFinite(sse))
            {
                throw new InvalidOperationException($"Bayesian MF diverged at sweep {sweep} (train SSE {sse}).");
            }

            if (options.NoisePrecision is null)
            {
                alpha = hyper.NextGamma(NoiseShape0 + (train.Count / 2.0)) / (NoiseRate0 + (sse / 2));
            }

            if (sweep > options.BurnIn)
            {
                factorMean?.Add(users, items);
            }

            var keep = sweep > options.BurnIn && (sweep - options.BurnIn) % options.SampleEvery == 0;
            if (keep)
            {
                kept.Add((ToFloat(users), ToFloat(items)));
            }

            double? rmse = null;
            double? mae = null;
            if (validation is not null)
            {
                Predict(users, items, validation, mean, d, validationCurrent!);
                if (keep)
                {
                    for (var n = 0; n < validationSum!.Length; n++)
                    {
                        validationSum[n] += validationCurrent![n];
                    }
                }

                (rmse, mae) = Errors(keep ? validationSum! : validationCurrent!, keep ? kept.Count : 1, validation.Values, options);
            }

            var seconds = Stopwatch.GetElapsedTime(sweepStart).TotalSeconds;
            var report = new MfEpochReport(sweep, 0f, sse / train.Count, rmse, mae, seconds, train.Count * 2 / Math.Max(seconds, 1e-9));
            reports.Add(report);
            progress?.Report(report);

            if (keep && rmse is { } current)
            {
                if (current < bestRmse)
                {
                    bestRmse = current;
                    bestSamples = kept.Count;
                    bestEpoch = sweep;
                    factorMean?.MarkBest();
                }
                else if (early && sweep - bestEpoch >= options.EarlyStoppingPatience)
                {
                    stoppedEarly = true;
                    break;
                }
            }
        }

        if (kept.Count == 0)
        {
            // Burn-in took every sweep: the last sample is the model.
            kept.Add((ToFloat(users), ToFloat(items)));
        }

        var samples = early && bestSamples > 0 ? bestSamples : kept.Count;
        var model = Average(kept.GetRange(0, samples), train.UserCount, train.ItemCount, k, mean, options);
        kept.Clear();
        var chosenEpoch = early && bestSamples > 0 ? bestEpoch : reports.Count;
        var updates = (long)train.Count * reports.Count * 2;
        var samplesRmse = reports[chosenEpoch - 1].ValidationRmse;
        var (exported, export, exportedRmse) = (model, "samples", samplesRmse);
        if (options.ReducePosteriorRank && validation is { Count: > 0 } && samplesRmse is { } wide)
        {
            (exported, export, exportedRmse) = ReduceRank(model, validation, wide, k);
        }

        if (factorMean is not null && validation is { Count: > 0 } && exportedRmse is { } samplesSide)
        {
            var meanModel = factorMean.ToModel(early && bestSamples > 0, k, mean, options);
            var meanRmse = MfEvaluator.Rmse(meanModel, validation);
            var useMean = meanRmse < samplesSide;
            return new MfTrainingResult(useMean ? meanModel : exported, reports, chosenEpoch, stoppedEarly, Stopwatch.GetElapsedTime(started), updates, threads)
            {
                PosteriorExport = useMean ? "factor-mean" : export,
                ExportedValidationRmse = useMean ? meanRmse : samplesSide,
                OtherCandidateValidationRmse = useMean ? samplesSide : meanRmse,
                SamplesFactors = model.Factors,
                SamplesValidationRmse = samplesRmse,
            };
        }

        return new MfTrainingResult(exported, reports, chosenEpoch, stoppedEarly, Stopwatch.GetElapsedTime(started), updates, threads)
        {
            PosteriorExport = export,
            ExportedValidationRmse = exportedRmse,
            SamplesFactors = model.Factors,
            SamplesValidationRmse = samplesRmse,
        };
    }

    /// <summary>
    /// Validation RMSE the rank-reduced posterior mean may give up against the samples side by side:
    /// a tenth of the gap between k = 10 and k = 20 on ML-100K's validation part, and far below
    /// what a held-out set of 100 k ratings can tell apart.
    /// </summary>
    internal const double RankReductionTolerance = 0.0005;

    /// <summary>
    /// The samples' averaged scores at the smallest rank of k, 2k, 4k, … whose validation RMSE is
    /// within <see cref="RankReductionTolerance"/> of theirs (<see cref="ScoreMatrixRankReduction"/>);
    /// the samples themselves when no smaller rank is. Biases are kept as they are.
    /// </summary>
    private static (MfModel Model, string Export, double? Rmse) ReduceRank(MfModel samples, IndexedRatings validation, double samplesRmse, int k)
    {
        if (samples.Factors <= k)
        {
            return (samples, "samples", samplesRmse);
        }

        // One thread: the same seed must give the same model whatever the thread count (a BLAS
        // splits its sums by threads); a few w x w products take about a second at 62 k items.
        var previousThreads = TorchSharp.torch.get_num_threads();
        TorchSharp.torch.set_num_threads(1);
        try
        {
            using var reduction = ScoreMatrixRankReduction.Of(samples.UserFactors, samples.UserCount, samples.ItemFactors, samples.ItemCount, samples.Factors);
            for (var rank = k; rank < samples.Factors && rank <= reduction.MaxRank; rank *= 2)
            {
                var (userFactors, itemFactors) = reduction.Reduce(rank);
                var reduced = new MfModel(samples.UserCount, samples.ItemCount, rank, userFactors, itemFactors, samples.Biases, samples.MinRating, samples.MaxRating);
                var rmse = MfEvaluator.Rmse(reduced, validation);
                if (rmse <= samplesRmse + RankReductionTolerance)
                {
                    return (reduced, $"samples-rank-{rank}", rmse);
                }
            }
        }
        finally
        {
            TorchSharp.torch.set_num_threads(previousThreads);
        }

        return (samples, "samples", samplesRmse);
    }

    /// <summary>
    /// Running sums of every row's sampled vector (factors and bias) over the sweeps after burn-in,
    /// and a copy of them at the best sweep so far: the factor-mean candidate's one k-column model.
    /// </summary>
    private sealed class FactorMean(int userCount, int itemCount, int d)
    {
        private readonly double[] _users = new double[(long)userCount * d];
        private readonly double[] _items = new double[(long)itemCount * d];
        private double[]? _bestUsers;
        private double[]? _bestItems;
        private int _sweeps;
        private int _bestSweeps;

        /// <summary>Null unless every sweep's samples side by side would pass MaxModelBytes (they were thinned).</summary>
        public static FactorMean? IfThinned(MfTrainingOptions options, int userCount, int itemCount, int d)
        {
            var sampleBytes = ((long)userCount + itemCount) * options.Factors * sizeof(float);
            return (long)(options.Epochs - options.BurnIn) * sampleBytes > options.MaxModelBytes
                ? new FactorMean(userCount, itemCount, d)
                : null;
        }

        public void Add(double[] users, double[] items)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(_users, users, _users);
            System.Numerics.Tensors.TensorPrimitives.Add(_items, items, _items);
            _sweeps++;
        }

        public void MarkBest()
        {
            _bestUsers ??= new double[_users.Length];
            _bestItems ??= new double[_items.Length];
            _users.CopyTo(_bestUsers, 0);
            _items.CopyTo(_bestItems, 0);
            _bestSweeps = _sweeps;
        }

        /// <summary>The averaged rows as a model; at the best sweep's sums when early stopping chose it.</summary>
        public MfModel ToModel(bool atBest, int k, float mean, MfTrainingOptions options)
        {
            var (users, items, sweeps) = atBest && _bestUsers is not null ? (_bestUsers, _bestItems!, _bestSweeps) : (_users, _items, _sweeps);
            var (userFactors, userBias) = Split(users, userCount, k, sweeps);
            var (itemFactors, itemBias) = Split(items, itemCount, k, sweeps);
            return new MfModel(userCount, itemCount, k, userFactors, itemFactors, new MfBiases(mean, userBias, itemBias), options.MinRating, options.MaxRating);
        }

        private static (float[] Factors, float[] Bias) Split(double[] sums, int count, int k, int sweeps)
        {
            var d = k + 1;
            var factors = new float[(long)count * k];
            var bias = new float[count];
            for (var r = 0; r < count; r++)
            {
                for (var f = 0; f < k; f++)
                {
                    factors[((long)r * k) + f] = (float)(sums[((long)r * d) + f] / sweeps);
                }

                bias[r] = (float)(sums[((long)r * d) + k] / sweeps);
            }

            return (factors, bias);
        }
    }

    /// <summary>Draws every row of one side given the other side and the prior.</summary>
    private static void SampleSide(double[] rows, double[] others, RatingsByRow ratings, NormalWishartPrior prior,
        float mean, double alpha, int d, int seed, long stream, ParallelOptions parallel)
    {
        var k = d - 1;
        Parallel.For(0, ratings.RowCount, parallel,
            () => (Precision: new double[d * d], Linear: new double[d], X: new double[d]),
            (row, _, buffers) =>
            {
                var (a, b, x) = buffers;
                prior.Precision.CopyTo(a, 0);
                prior.PrecisionTimesMean.CopyTo(b, 0);
                for (var n = ratings.Starts[row]; n < ratings.Starts[row + 1]; n++)
                {
                    var other = ratings.Others[n] * d;
                    for (var f = 0; f < k; f++)
                    {
                        x[f] = others[other + f];
                    }

                    x[k] = 1;
                    // The other side's bias is an offset: the target is what this row must explain.
                    var target = ratings.Values[n] - mean - others[other + k];
                    for (var f = 0; f < d; f++)
                    {
                        var ax = alpha * x[f];
                        b[f] += ax * target;
                        for (var g = 0; g <= f; g++)
                        {
                            a[(f * d) + g] += ax * x[g];
                        }
                    }
                }

                // Posterior N(A⁻¹ b, A⁻¹): mean by two triangular solves, noise by Lᵀ z.
                SmallMatrix.Cholesky(a, d);
                SmallMatrix.SolveLower(a, d, b);
                SmallMatrix.SolveUpper(a, d, b);
                var random = new GibbsRandom(seed, stream, row);
                for (var f = 0; f < d; f++)
                {
                    x[f] = random.NextGaussian();
                }

                SmallMatrix.SolveUpper(a, d, x);
                for (var f = 0; f < d; f++)
                {
                    rows[((long)row * d) + f] = b[f] + x[f];
                }

                return buffers;
            },
            _ => { });
    }

    private static double SquaredError(double[] users, double[] items, RatingsByRow byUser, float mean, int d, MfTrainingOptions options,
        double[] perUser, ParallelOptions parallel)
    {
        Parallel.For(0, byUser.RowCount, parallel, user =>
        {
            double sum = 0;
            for (var n = byUser.Starts[user]; n < byUser.Starts[user + 1]; n++)
            {
                var error = byUser.Values[n] - Math.Clamp(Score(users, items, user, byUser.Others[n], mean, d), options.MinRating, options.MaxRating);
                sum += error * error;
            }

            perUser[user] = sum;
        });

        // Summed in user order, not in thread order: the noise draw (and so the model) must not depend on scheduling.
        double total = 0;
        foreach (var value in perUser)
        {
            total += value;
        }

        return total;
    }

    private static void Predict(double[] users, double[] items, IndexedRatings pairs, float mean, int d, double[] scores)
    {
        for (var n = 0; n < pairs.Count; n++)
        {
            scores[n] = Score(users, items, pairs.Users[n], pairs.Items[n], mean, d);
        }
    }

    private static double Score(double[] users, double[] items, int user, int item, float mean, int d)
    {
        var k = d - 1;
        var u = (long)user * d;
        var i = (long)item * d;
        var score = mean + users[u + k] + items[i + k];
        for (var f = 0; f < k; f++)
        {
            score += users[u + f] * items[i + f];
        }

        return score;
    }

    private static (double Rmse, double Mae) Errors(double[] sums, int samples, float[] actual, MfTrainingOptions options)
    {
        double squared = 0;
        double absolute = 0;
        for (var n = 0; n < actual.Length; n++)
        {
            var error = actual[n] - Math.Clamp(sums[n] / samples, options.MinRating, options.MaxRating);
            squared += error * error;
            absolute += Math.Abs(error);
        }

        return (Math.Sqrt(squared / actual.Length), absolute / actual.Length);
    }

    private static double[] Initial(int count, int d, MfTrainingOptions options, int matrix)
    {
        var rows = new double[(long)count * d];
        var random = new GibbsRandom(options.Seed, -matrix, 0);
        var std = options.EffectiveInitStd;
        for (var r = 0; r < count; r++)
        {
            for (var f = 0; f < d - 1; f++)
            {
                rows[((long)r * d) + f] = std * random.NextGaussian();
            }
        }

        return rows;
    }

    private static float[] ToFloat(double[] values)
    {
        var result = new float[values.Length];
        for (var n = 0; n < values.Length; n++)
        {
            result[n] = (float)values[n];
        }

        return result;
    }

    /// <summary>The posterior-mean predictor as one factorization: samples side by side, each scaled by 1/√S; biases averaged.</summary>
    private static MfModel Average(List<(float[] Users, float[] Items)> samples, int userCount, int itemCount, int k, float mean, MfTrainingOptions options)
    {
        var s = samples.Count;
        var d = k + 1;
        var width = s * k;
        var scale = (float)(1 / Math.Sqrt(s));
        var userFactors = new float[(long)userCount * width];
        var itemFactors = new float[(long)itemCount * width];
        var userBias = new float[userCount];
        var itemBias = new float[itemCount];
        for (var n = 0; n < s; n++)
        {
            var (users, items) = samples[n];
            Spread(users, userCount, userFactors, userBias);
            Spread(items, itemCount, itemFactors, itemBias);

            void Spread(float[] sample, int count, float[] factors, float[] bias)
            {
                for (var r = 0; r < count; r++)
                {
                    for (var f = 0; f < k; f++)
                    {
                        factors[((long)r * width) + (n * k) + f] = sample[((long)r * d) + f] * scale;
                    }

                    bias[r] += sample[((long)r * d) + k] / s;
                }
            }
        }

        return new MfModel(userCount, itemCount, width, userFactors, itemFactors, new MfBiases(mean, userBias, itemBias), options.MinRating, options.MaxRating);
    }
}
