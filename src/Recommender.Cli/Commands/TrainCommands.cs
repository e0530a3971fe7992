using System.CommandLine;
using Recommender.Models.Repository;
using Recommender.Training.Pipeline;

namespace Recommender.Cli.Commands;

/// <summary>`recommender train mf|neural|implicit|all`: train, evaluate on the held-out split, publish one version.</summary>
internal static class TrainCommands
{
    public static Command Create() => new("train", "Train models and publish a version to the repository.")
    {
        Build("mf", "Train matrix factorization (the notebook's 'seed' variant or the 'biased' one).", mf: true, neural: false, implicitFeedback: false),
        Build("neural", "Train the notebook's neural model (TorchSharp) and export it to ONNX.", mf: false, neural: true, implicitFeedback: false),
        Build("implicit", "Train the implicit-feedback ranking model (weighted ALS).", mf: false, neural: false, implicitFeedback: true),
        Build("all", "Train every kind into one version.", mf: true, neural: true, implicitFeedback: true),
    };

    private static Command Build(string name, string description, bool mf, bool neural, bool implicitFeedback)
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
        command.SetAction((parse, cancellationToken) => CommandAction.Run(async () =>
        {
            var seed = parse.GetValue(common.Seed);
            var request = common.Request(parse, mfFlags?.Options(parse, seed), neuralFlags?.Options(parse, seed)) with
            {
                Implicit = implicitFlags?.Options(parse, seed),
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
    }
}
