using System.Diagnostics;
using Recommender.Data;
using Recommender.Models.Neural;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Neural;

/// <summary>
/// Trains <see cref="NeuralRatingModel"/> as the seed notebook does: Adam on the MSE loss in
/// shuffled mini-batches. Seeded and, with one thread, bit-for-bit reproducible.
/// </summary>
/// <remarks>
/// libtorch's random generator and thread count are process-wide, so trainings in one process
/// run one at a time (a second call waits for the first); that also keeps runs reproducible.
/// </remarks>
public static class NeuralTrainer
{
    /// <summary>
    /// Trains on <paramref name="train"/>, evaluating on <paramref name="validation"/> (if given)
    /// after every epoch. Cancellation is observed between batches and throws
    /// <see cref="OperationCanceledException"/>. <paramref name="features"/> (NeuMF only) adds
    /// side information per user and item index; the exported weights have it folded in.
    /// </summary>
    public static NeuralTrainingResult Train(
        IndexedRatings train,
        IndexedRatings? validation,
        NeuralTrainingOptions options,
        IProgress<NeuralEpochReport>? progress = null,
        CancellationToken cancellationToken = default,
        NeuralSideFeatures? features = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.Count == 0)
        {
            throw new ArgumentException("The training data is empty.", nameof(train));
        }

        if (options.EarlyStoppingPatience is not null && (validation is null || validation.Count == 0))
        {
            throw new ArgumentException("EarlyStoppingPatience needs non-empty validation data.", nameof(validation));
        }

        if (validation is not null && (validation.UserCount > train.UserCount || validation.ItemCount > train.ItemCount))
        {
            throw new ArgumentException(
                $"Validation data has {validation.UserCount} users x {validation.ItemCount} items; "
                + $"the training data (and model) only {train.UserCount} x {train.ItemCount}.",
                nameof(validation));
        }

        if (features is not null && options.Architecture != NeuralArchitecture.NeuMf)
        {
            throw new ArgumentException("Side features need the NeuMF architecture.", nameof(features));
        }

        if (features is not null && (features.UserCount != train.UserCount || features.ItemCount != train.ItemCount))
        {
            throw new ArgumentException(
                $"Features are for {features.UserCount} users x {features.ItemCount} items; the training data has {train.UserCount} x {train.ItemCount}.",
                nameof(features));
        }

        NeuralRatingModel.CheckIndices(train.Users, train.UserCount, "Training user");
        NeuralRatingModel.CheckIndices(train.Items, train.ItemCount, "Training item");
        if (validation is not null)
        {
            NeuralRatingModel.CheckIndices(validation.Users, train.UserCount, "Validation user");
            NeuralRatingModel.CheckIndices(validation.Items, train.ItemCount, "Validation item");
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var gate = TorchGate.Enter();
        var previousThreads = torch.get_num_threads();
        torch.set_num_threads(options.Threads);
        try
        {
            return TrainLocked(train, validation, options, features, progress, cancellationToken);
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    /// <summary>
    /// Scores (user, item) index pairs with TorchSharp from exported <paramref name="weights"/>:
    /// the reference the ONNX export is checked against. Predictions are not clipped.
    /// </summary>
    public static float[] PredictWithTorch(NeuralWeights weights, ReadOnlySpan<int> users, ReadOnlySpan<int> items)
    {
        ArgumentNullException.ThrowIfNull(weights);
        using var model = NeuralRatingModel.FromWeights(weights);
        // One intra-op thread, as in training: on small shared machines libtorch's threads wait on
        // each other more than they help (several times slower on 2 busy cores).
        using var gate = TorchGate.Enter();
        var previousThreads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            return model.Predict(users, items);
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    /// <summary>Scores the pairs of <paramref name="pairs"/> (its values are ignored).</summary>
    public static float[] PredictWithTorch(NeuralWeights weights, IndexedRatings pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return PredictWithTorch(weights, pairs.Users, pairs.Items);
    }

    private static NeuralTrainingResult TrainLocked(
        IndexedRatings train,
        IndexedRatings? validation,
        NeuralTrainingOptions options,
        NeuralSideFeatures? features,
        IProgress<NeuralEpochReport>? progress,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        torch.manual_seed(options.Seed);
        var shuffle = new Random(options.Seed);

        var neuMf = options.Architecture == NeuralArchitecture.NeuMf;
        var lazy = options.UsesLazyEmbeddingUpdates(train.UserCount, train.ItemCount);
        using var model = new NeuralRatingModel(train.UserCount, train.ItemCount, options.EmbeddingDim, options.HiddenSizes, options.Dropout,
            neuMf ? options.GmfDim : 0, neuMf ? (float)train.Values.Average(v => (double)v) : null, features, sparseEmbeddings: lazy);
        // NeuMF: Adam without decay; the dense layers' L2 (Adam's weight_decay, wd·θ added to the
        // gradient, is the gradient of wd/2·‖θ‖²) and the per-row embedding penalty go into the
        // loss, so embedding rows shrink per rating, not at every step whether used or not.
        // Lazy updates: LazyAdam, with the same hyper-parameters, instead of torch's Adam: lazy on
        // the embedding tables, plain on the dense layers (and side-feature tables).
        var adamDecay = neuMf ? 0 : options.WeightDecay;
        using var optimizer = lazy
            ? null
            : torch.optim.Adam(model.parameters(), lr: options.LearningRate, beta1: 0.9, beta2: 0.999, eps: 1e-7, weight_decay: adamDecay);
        var lazyAdam = lazy
            ? new LazyAdam(model.EmbeddingTables, [.. model.ParametersBesideEmbeddings()], options.LearningRate, 0.9, 0.999, 1e-7, adamDecay)
            : null;
        var denseDecay = neuMf ? options.WeightDecay : 0;
        var penalty = neuMf ? options.EmbeddingRegularization : 0;
        // 0-d tensors rather than doubles: see NeuralRatingModel's note on Scalars.
        using var penaltyWeight = torch.tensor(penalty);
        using var decayWeight = torch.tensor(denseDecay / 2);

        var n = train.Count;
        using var allUsers = torch.tensor(ToLong(train.Users));
        using var allItems = torch.tensor(ToLong(train.Items));
        using var allValues = torch.tensor(train.Values);
        var order = new long[n];
        for (var k = 0; k < n; k++)
        {
            order[k] = k;
        }

        var reports = new List<NeuralEpochReport>(options.Epochs);
        var bestRmse = double.PositiveInfinity;
        var bestEpoch = 0;
        NeuralWeights? bestWeights = null;
        var stoppedEarly = false;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var epochStarted = Stopwatch.GetTimestamp();
            Shuffle(order, shuffle);
            model.train();
            double lossSum = 0;
            using (var noGc = NoGcRegion.Enter())
            using (var epochScope = torch.NewDisposeScope())
            {
                using var permutation = torch.tensor(order);
                var users = allUsers.index_select(0, permutation);
                var items = allItems.index_select(0, permutation);
                var values = allValues.index_select(0, permutation);
                var regionMark = GC.GetAllocatedBytesForCurrentThread();
                for (var start = 0; start < n; start += options.BatchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (GC.GetAllocatedBytesForCurrentThread() - regionMark > NoGcRegion.RenewAfterBytes)
                    {
                        NoGcRegion.Renew();
                        regionMark = GC.GetAllocatedBytesForCurrentThread();
                    }

                    var size = Math.Min(options.BatchSize, n - start);
                    using var batchScope = torch.NewDisposeScope();
                    optimizer?.zero_grad();
                    var batchUsers = users.narrow(0, start, size);
                    var batchItems = items.narrow(0, start, size);
                    Tensor predictions;
                    Tensor? rowPenalty = null;
                    if (penalty > 0)
                    {
                        (predictions, rowPenalty) = model.ForwardWithPenalty(batchUsers, batchItems);
                    }
                    else
                    {
                        predictions = model.forward(batchUsers, batchItems);
                    }

                    var loss = nn.functional.mse_loss(predictions, values.narrow(0, start, size));
                    var objective = rowPenalty is null ? loss : loss + (penaltyWeight * rowPenalty);

                    if (denseDecay > 0)
                    {
                        objective = objective + (decayWeight * model.DenseSquaredNorm());
                    }

                    objective.backward();
                    optimizer?.step();
                    lazyAdam?.Step();
                    lossSum += loss.item<float>() * (double)size;
                }
            }

            var trainMse = lossSum / n;
            if (!double.IsFinite(trainMse))
            {
                throw new InvalidOperationException(
                    $"Training diverged in epoch {epoch} (train MSE {trainMse}); lower the learning rate.");
            }

            double? rmse = null;
            double? mae = null;
            if (validation is { Count: > 0 })
            {
                (rmse, mae) = Evaluate(model, validation, options.EvaluationBatchSize);
            }

            var isBest = rmse is null || rmse.Value < bestRmse;
            if (isBest)
            {
                bestRmse = rmse ?? double.PositiveInfinity;
                bestEpoch = epoch;
                if (options.EarlyStoppingPatience is not null)
                {
                    bestWeights = model.ExportWeights();
                }
            }

            var report = new NeuralEpochReport(
                epoch, options.Epochs, trainMse, rmse, mae, isBest, Stopwatch.GetElapsedTime(epochStarted));
            reports.Add(report);
            progress?.Report(report);

            if (options.EarlyStoppingPatience is { } patience && epoch - bestEpoch >= patience && epoch < options.Epochs)
            {
                stoppedEarly = true;
                break;
            }

            if (options.LearningRateDecay != 1)
            {
                foreach (var group in optimizer?.ParamGroups ?? [])
                {
                    group.LearningRate *= options.LearningRateDecay;
                }

                if (lazyAdam is not null)
                {
                    lazyAdam.LearningRate *= options.LearningRateDecay;
                }
            }
        }

        var lastEpoch = reports.Count;
        NeuralWeights weights;
        int weightsEpoch;
        if (bestWeights is not null)
        {
            weights = bestWeights;
            weightsEpoch = bestEpoch;
        }
        else
        {
            weights = model.ExportWeights();
            weightsEpoch = lastEpoch;
        }

        return new NeuralTrainingResult(
            weights, reports, bestEpoch, weightsEpoch, stoppedEarly, Stopwatch.GetElapsedTime(started));
    }

    private static (double Rmse, double Mae) Evaluate(NeuralRatingModel model, IndexedRatings data, int batchSize)
    {
        var predictions = model.Predict(data.Users, data.Items, batchSize);
        double squared = 0;
        double absolute = 0;
        for (var k = 0; k < predictions.Length; k++)
        {
            var error = (double)predictions[k] - data.Values[k];
            squared += error * error;
            absolute += Math.Abs(error);
        }

        return (Math.Sqrt(squared / predictions.Length), absolute / predictions.Length);
    }

    private static void Shuffle(long[] order, Random random)
    {
        for (var k = order.Length - 1; k > 0; k--)
        {
            var j = random.Next(k + 1);
            (order[k], order[j]) = (order[j], order[k]);
        }
    }

    private static long[] ToLong(int[] values)
    {
        var result = new long[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            result[k] = values[k];
        }

        return result;
    }
}
