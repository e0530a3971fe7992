using System.CommandLine;
using Recommender.Models.Repository;
using Recommender.Training.Blend;
using Recommender.Training.Pipeline;

namespace Recommender.Cli.Commands;

/// <summary>`recommender train mf|neural|implicit|all`: train, evaluate on the held-out split, publish one version.</summary>
internal static class TrainCommands
{
    public static Command Create() => new("train", "Train models and publish a version to the repository.")
    {
        Build("mf", "Train matrix factorization (the notebook's 'seed' variant, the 'biased' SGD one or the 'bayesian' one).", mf: true, neural: false, implicitFeedback: false, blend: false),
        Build("neural", "Train the neural model (NeuMF, or the notebook's with --arch seed; TorchSharp) and export it to ONNX.", mf: false, neural: true, implicitFeedback: false, blend: false),
        Build("implicit", "Train the implicit-feedback ranking model (weighted ALS).", mf: false, neural: false, implicitFeedback: true, blend: false),
        Build("all", "Train every kind into one version: MF, the neural model, the implicit model and (with a validation part) the blend of the rating models, with a baseline and an item autoencoder.", mf: true, neural: true, implicitFeedback: true, blend: true),
    };

    private static Command Build(string name, string description, bool mf, bool neural, bool implicitFeedback, bool blend)
    {
        var command = new Command(name, description);
        var common = new CommonTrainFlags();
        common.AddTo(command);
        var mfFlags = mf ? new MfFlags() : null;
        mfFlags?.AddTo(command);
        var neuralFlags = neural ? new NeuralFlags(standalone: !mf) : null;
        neuralFlags?.AddTo(command);
        var implicitFlags = implicitFeedback ? new ImplicitFlags(standalone: !mf) : null;
        implicitFlags?.AddTo(command);
        var noBlend = new Option<bool>("--no-blend") { Description = "Do not fit the blend of the rating models (it needs a validation part)." };
        var noAutoRec = new Option<bool>("--no-autorec") { Description = "Blend: leave out the item autoencoder (I-AutoRec) member." };
        var autoRecHidden = new Option<int?>("--autorec-hidden") { Description = "Blend: AutoRec hidden units." };
        var autoRecEpochs = new Option<int?>("--autorec-epochs") { Description = "Blend: AutoRec epochs (early stopping on the validation part)." };
        var autoRecLr = new Option<double?>("--autorec-lr") { Description = "Blend: AutoRec Adam learning rate." };
        var autoRecDecay = new Option<double?>("--autorec-lr-decay") { Description = "Blend: AutoRec learning-rate factor per epoch." };
        var autoRecReg = new Option<double?>("--autorec-reg") { Description = "Blend: AutoRec L2 λ." };
        var autoRecBatch = new Option<int?>("--autorec-batch") { Description = "Blend: AutoRec items per step." };
        if (blend)
        {
            foreach (var option in new Option[] { noBlend, noAutoRec, autoRecHidden, autoRecEpochs, autoRecLr, autoRecDecay, autoRecReg, autoRecBatch })
            {
                command.Add(option);
            }
        }

        command.SetAction((parse, cancellationToken) => CommandAction.Run(async () =>
        {
            var seed = parse.GetValue(common.Seed);
            var request = common.Request(parse);
            var hasValidation = request.EffectiveValidationFraction > 0;
            request = request with
            {
                Mf = mfFlags?.Options(parse, seed, hasValidation),
                Neural = neuralFlags?.Options(parse, seed, hasValidation),
                Implicit = implicitFlags?.Options(parse, seed),
                Blend = blend && hasValidation && !parse.GetValue(noBlend)
                    ? new BlendTrainingOptions { AutoRec = parse.GetValue(noAutoRec) ? null : AutoRecFrom(parse, seed) }
                    : null,
            };
            var repository = new ModelRepository(parse.GetValue(common.Repo)!, TimeProvider.System);
            var printer = new TrainingPrinter(Console.Out);
            var outcome = await Task.Run(() => TrainingPipeline.Run(request, repository, printer, cancellationToken), cancellationToken).ConfigureAwait(false);
            printer.Summary(outcome, repository.VersionPath(outcome.Manifest.ModelName, outcome.Manifest.Version));
            if (parse.GetValue(common.MetricsJson) is { } path)
            {
                await MetricsJsonWriter.WriteAsync(path, outcome, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"metrics written to {path}");
            }

            return 0;
        }));
        return command;

        AutoRecOptions AutoRecFrom(ParseResult parse, int seed)
        {
            var defaults = new AutoRecOptions();
            return defaults with
            {
                Hidden = parse.GetValue(autoRecHidden) ?? defaults.Hidden,
                Epochs = parse.GetValue(autoRecEpochs) ?? defaults.Epochs,
                LearningRate = parse.GetValue(autoRecLr) ?? defaults.LearningRate,
                LearningRateDecay = parse.GetValue(autoRecDecay) ?? defaults.LearningRateDecay,
                Regularization = parse.GetValue(autoRecReg) ?? defaults.Regularization,
                BatchSize = parse.GetValue(autoRecBatch) ?? defaults.BatchSize,
                Seed = seed,
            };
        }
    }
}
