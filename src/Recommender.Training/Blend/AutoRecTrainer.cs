using System.Diagnostics;
using Recommender.Data;
using Recommender.Models.Mf;
using Recommender.Training.Neural;
using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Blend;

/// <summary>What one AutoRec epoch measured.</summary>
public sealed record AutoRecEpoch(int Epoch, double TrainMse, double? ValidationRmse, double Seconds);

/// <summary>A trained AutoRec member and its epochs.</summary>
public sealed record AutoRecResult(MfModel Model, IReadOnlyList<AutoRecEpoch> Epochs, int BestEpoch, TimeSpan Elapsed);

/// <summary>
/// Trains I-AutoRec in TorchSharp on dense item x user matrices (ML-100K: 1.6 M cells) and returns
/// it as what it is at inference: a factorization. The prediction for (u, i) is
/// W[u] · sigmoid(V r_i + c) + b[u], with r_i item i's fit ratings; so the user factors are the
/// decoder's rows W[u], the item factors are the encoded items h_i (computed once, from the same
/// fit ratings the model trained on), and b is a user bias: an <see cref="MfModel"/> with mean 0
/// and zero item biases, exported and scored like any MF.
/// </summary>
public static class AutoRecTrainer
{
    public static AutoRecResult Train(IndexedRatings fit, IndexedRatings? validation, AutoRecOptions options, float minRating, float maxRating,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        TorchSharp.Modules.Linear encoder, decoder;
        // Only the set-up holds the torch gate: seeding and drawing the initial weights from
        // libtorch's process-wide generator. Training draws nothing from it (the item order comes
        // from a System.Random), so it may run beside another seeded training (the neural kind,
        // whose dropout does draw) without disturbing it or being disturbed. The intra-op thread
        // count is set for this thread and left so: restoring it while another training runs
        // would change that one's.
        using (TorchGate.Enter())
        {
            torch.set_num_threads(options.Threads);
            torch.manual_seed(options.Seed);
            encoder = nn.Linear(fit.UserCount, options.Hidden);
            decoder = nn.Linear(options.Hidden, fit.UserCount);
        }

        using (encoder)
        using (decoder)
        {
            return TrainFrom(fit, validation, options, minRating, maxRating, started, encoder, decoder, cancellationToken);
        }
    }

    private static AutoRecResult TrainFrom(IndexedRatings fit, IndexedRatings? validation, AutoRecOptions options, float minRating, float maxRating,
        long started, TorchSharp.Modules.Linear encoder, TorchSharp.Modules.Linear decoder, CancellationToken cancellationToken)
    {
        int users = fit.UserCount, items = fit.ItemCount, hidden = options.Hidden;
        var ratings = new float[(long)items * users];
        var mask = new float[ratings.Length];
        for (var n = 0; n < fit.Count; n++)
        {
            var cell = ((long)fit.Items[n] * users) + fit.Users[n];
            ratings[cell] = fit.Values[n];
            mask[cell] = 1;
        }

        using var r = torch.tensor(ratings, [items, users]);
        using var m = torch.tensor(mask, [items, users]);
        // Objective/N: the masked MSE plus (λ / 2N)(‖V‖² + ‖W‖²); Adam's weight_decay adds wd·θ, the gradient of (wd/2)‖θ‖².
        var decay = options.Regularization / fit.Count;
        using var optimizer = torch.optim.Adam(encoder.parameters().Concat(decoder.parameters()), lr: options.LearningRate, weight_decay: decay);
        var shuffle = new Random(options.Seed);
        var order = Enumerable.Range(0, items).Select(i => (long)i).ToArray();
        var epochs = new List<AutoRecEpoch>();
        var bestRmse = double.PositiveInfinity;
        var bestEpoch = 0;
        MfModel? best = null;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var epochStart = Stopwatch.GetTimestamp();
            shuffle.Shuffle(order);
            double sse = 0;
            using (var noGc = NoGcRegion.Enter())
            using (var scope = torch.NewDisposeScope())
            {
                using var permutation = torch.tensor(order);
                for (var start = 0; start < items; start += options.BatchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var batchScope = torch.NewDisposeScope();
                    var rows = permutation.narrow(0, start, Math.Min(options.BatchSize, items - start));
                    var x = r.index_select(0, rows);
                    var observed = m.index_select(0, rows);
                    var output = decoder.forward(torch.sigmoid(encoder.forward(x)));
                    var error = (output - x) * observed;
                    var batchSse = (error * error).sum();
                    var loss = batchSse / fit.Count * (items / (double)rows.shape[0]);
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    sse += batchSse.item<float>();
                }
            }

            double? rmse = null;
            MfModel? model = null;
            if (validation is not null || epoch == options.Epochs)
            {
                model = Export(r, encoder, decoder, users, items, hidden, minRating, maxRating);
            }

            if (validation is not null)
            {
                rmse = Rmse(model!, validation);
            }

            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate *= options.LearningRateDecay;
            }

            epochs.Add(new AutoRecEpoch(epoch, sse / fit.Count, rmse, Stopwatch.GetElapsedTime(epochStart).TotalSeconds));
            if (rmse is null || rmse < bestRmse)
            {
                bestRmse = rmse ?? double.PositiveInfinity;
                bestEpoch = epoch;
                best = model;
            }
            else if (options.EarlyStoppingPatience > 0 && epoch - bestEpoch >= options.EarlyStoppingPatience)
            {
                break;
            }
        }

        best ??= Export(r, encoder, decoder, users, items, hidden, minRating, maxRating);
        return new AutoRecResult(best, epochs, bestEpoch, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The factorization the network computes: decoder rows as user factors, encoded items as item factors.</summary>
    private static MfModel Export(Tensor r, TorchSharp.Modules.Linear encoder, TorchSharp.Modules.Linear decoder, int users, int items, int hidden, float min, float max)
    {
        using var noGrad = torch.no_grad();
        using var noGc = NoGcRegion.Enter();
        using var scope = torch.NewDisposeScope();
        var encoded = torch.sigmoid(encoder.forward(r)).contiguous().data<float>().ToArray();
        var userFactors = decoder.weight!.detach().contiguous().data<float>().ToArray();
        var userBias = decoder.bias!.detach().contiguous().data<float>().ToArray();
        return new MfModel(users, items, hidden, userFactors, encoded, new MfBiases(0f, userBias, new float[items]), min, max);
    }

    private static double Rmse(MfModel model, IndexedRatings pairs)
    {
        double squared = 0;
        for (var n = 0; n < pairs.Count; n++)
        {
            var error = pairs.Values[n] - model.Predict(pairs.Users[n], pairs.Items[n]);
            squared += error * error;
        }

        return Math.Sqrt(squared / pairs.Count);
    }
}
