using System.CommandLine;
using System.Globalization;
using Recommender.Contracts.V1;

namespace Recommender.Cli.Commands;

/// <summary>
/// `recommender trainer start`: queue a job on a running trainer (dataset folder under its data
/// root, a MovieLens name, or synthetic parameters), print its id, and with --watch follow it.
/// Unset hyper-parameters take the trainer's defaults.
/// </summary>
internal static class TrainerStartCommand
{
    public static Command Create()
    {
        var flags = new TrainerClientFlags();
        var name = new Option<string>("--name") { Description = "Model name to publish under.", DefaultValueFactory = _ => "movielens" };
        var folder = new Option<string?>("--dataset-folder") { Description = "Dataset folder, relative to the trainer's data root." };
        var movielens = new Option<string?>("--movielens") { Description = "MovieLens dataset to download on the trainer (ml-100k, ml-1m, ...)." };
        var users = new Option<int?>("--synthetic-users") { Description = "Generate a synthetic dataset with this many users." };
        var items = new Option<int>("--synthetic-items") { Description = "Synthetic items.", DefaultValueFactory = _ => 1682 };
        var ratings = new Option<long>("--synthetic-ratings") { Description = "Synthetic ratings.", DefaultValueFactory = _ => 100_000 };
        var synthSeed = new Option<long>("--synthetic-seed") { Description = "Synthetic dataset seed.", DefaultValueFactory = _ => 42 };
        var split = new Option<string?>("--split") { Description = "none | random:0.2 | u1..u5 | ua | ub | last:K (default random:0.2)." };
        var models = new Option<string>("--models") { Description = "mf, neural or mf,neural.", DefaultValueFactory = _ => "mf,neural" };
        var variant = new Option<string>("--variant") { Description = "MF variant: seed | biased | bayesian (`train all`'s).", DefaultValueFactory = _ => "biased" };
        variant.AcceptOnlyFromAmong("seed", "biased", "bayesian");
        var arch = new Option<string>("--arch") { Description = "Neural network: seed (the notebook's) | neumf (`train all`'s, with side features).", DefaultValueFactory = _ => "seed" };
        arch.AcceptOnlyFromAmong("seed", "neumf");
        var noSideFeatures = new Option<bool>("--no-side-features") { Description = "NeuMF: without the dataset's user and item features." };
        var embeddingUpdates = new Option<string>("--embedding-updates") { Description = "auto (dense up to 20,000 user + item rows, lazy above) | dense | lazy.", DefaultValueFactory = _ => "auto" };
        embeddingUpdates.AcceptOnlyFromAmong("auto", "dense", "lazy");
        var blend = new Option<bool>("--blend") { Description = "Also fit the blend of the rating models (as `train all`); needs a validation part." };
        var noAutoRec = new Option<bool>("--no-autorec") { Description = "Blend: leave out the item autoencoder member." };
        var validation = new Option<float>("--validation") { Description = "Validation part of the training split (0: 0.05 with a test split)." };
        var factors = new Option<int>("--factors") { Description = "MF latent factors." };
        var epochs = new Option<int>("--epochs") { Description = "MF epochs." };
        var lr = new Option<float>("--lr") { Description = "MF learning rate." };
        var reg = new Option<float>("--reg") { Description = "MF regularization." };
        var seed = new Option<long>("--seed") { Description = "MF and neural seed." };
        var embedding = new Option<int>("--embedding-dim") { Description = "Neural embedding size." };
        var hidden = new Option<string?>("--hidden") { Description = "Neural hidden sizes, e.g. 64,32." };
        var nnEpochs = new Option<int>("--nn-epochs") { Description = "Neural epochs." };
        var batch = new Option<int>("--batch-size") { Description = "Neural batch size." };
        var nnLr = new Option<float>("--nn-lr") { Description = "Neural learning rate." };
        var dropout = new Option<float>("--dropout") { Description = "Neural dropout." };
        var weightDecay = new Option<float>("--weight-decay") { Description = "Neural weight decay." };
        var patience = new Option<int>("--nn-patience") { Description = "Neural early-stopping patience (0: off)." };
        var watch = new Option<bool>("--watch") { Description = "Follow the job's progress until it ends." };
        var command = new Command("start", "Queue a training job on a running trainer.")
        {
            name, folder, movielens, users, items, ratings, synthSeed, split, models, variant, factors, epochs, lr, reg, seed,
            embedding, hidden, nnEpochs, batch, nnLr, dropout, weightDecay, patience, watch, arch, noSideFeatures, embeddingUpdates, blend, noAutoRec, validation,
        };
        flags.AddTo(command, withToken: true);
        command.SetAction((parse, cancellationToken) => TrainerCommandAction.Run(async () =>
        {
            var kinds = parse.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (kinds.Length == 0 || kinds.Any(k => k is not ("mf" or "neural")))
            {
                throw new ArgumentException("--models: expected mf, neural or mf,neural.");
            }

            var request = new StartTrainingRequest
            {
                ModelName = parse.GetValue(name)!,
                Split = parse.GetValue(split) ?? "",
                Dataset = new DatasetSource(),
                Blend = parse.GetValue(blend) ? new BlendParameters { NoAutorec = parse.GetValue(noAutoRec) } : null,
                ValidationFraction = parse.GetValue(validation),
            };
            var sources = 0;
            if (parse.GetValue(folder) is { } f)
            {
                request.Dataset.Folder = f;
                sources++;
            }

            if (parse.GetValue(movielens) is { } m)
            {
                request.Dataset.Movielens = m;
                sources++;
            }

            if (parse.GetValue(users) is { } u)
            {
                request.Dataset.Synthetic = new SyntheticDataset { Users = u, Items = parse.GetValue(items), Ratings = parse.GetValue(ratings), Seed = parse.GetValue(synthSeed) };
                sources++;
            }

            if (sources != 1)
            {
                throw new ArgumentException("Give exactly one of --dataset-folder, --movielens and --synthetic-users.");
            }

            if (kinds.Contains("mf"))
            {
                request.Mf = new MfParameters
                {
                    Variant = parse.GetValue(variant) switch
                    {
                        "seed" => MfVariant.Seed,
                        "bayesian" => MfVariant.Bayesian,
                        _ => MfVariant.Biased,
                    },
                    Factors = parse.GetValue(factors),
                    Epochs = parse.GetValue(epochs),
                    LearningRate = parse.GetValue(lr),
                    Regularization = parse.GetValue(reg),
                    Seed = parse.GetValue(seed),
                };
            }

            if (kinds.Contains("neural"))
            {
                request.Neural = new NeuralParameters
                {
                    EmbeddingDim = parse.GetValue(embedding),
                    Epochs = parse.GetValue(nnEpochs),
                    BatchSize = parse.GetValue(batch),
                    LearningRate = parse.GetValue(nnLr),
                    Dropout = parse.GetValue(dropout),
                    WeightDecay = parse.GetValue(weightDecay),
                    Seed = parse.GetValue(seed),
                    EarlyStoppingPatience = parse.GetValue(patience),
                    Architecture = parse.GetValue(arch) == "neumf" ? NeuralArchitecture.Neumf : NeuralArchitecture.Seed,
                    NoSideFeatures = parse.GetValue(noSideFeatures),
                    EmbeddingUpdates = parse.GetValue(embeddingUpdates) switch
                    {
                        "dense" => EmbeddingUpdates.Dense,
                        "lazy" => EmbeddingUpdates.Lazy,
                        _ => EmbeddingUpdates.Unspecified,
                    },
                };
                if (parse.GetValue(hidden) is { } sizes)
                {
                    request.Neural.HiddenSizes.AddRange(sizes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(s => int.Parse(s, CultureInfo.InvariantCulture)));
                }
            }

            await using var connection = flags.Connect(parse);
            var job = await connection.Trainer.StartTrainingAsync(request, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"job {job.JobId} queued");
            return parse.GetValue(watch)
                ? await TrainingEventPrinter.FollowAsync(connection.Trainer, job.JobId, cancellationToken).ConfigureAwait(false)
                : 0;
        }));
        return command;
    }
}
