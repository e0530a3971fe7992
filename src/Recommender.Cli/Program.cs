using System.CommandLine;
using Recommender.Cli.Commands;
using Recommender.Cli.Commands.Bench;

var root = new RootCommand("recommender: MovieLens-style rating prediction and top-N recommendation.")
{
    DataCommands.Create(),
    TrainCommands.Create(),
    EvaluateCommand.Create(),
    RecommendCommand.Create(),
    SimilarCommand.Create(),
    InferenceCommands.Create(),
    DemoCommand.Create(),
    TrainerCommands.Create(),
    BenchCommand.Create(),
    ReportCommand.Create(),
    ReportCommand.CreateSweep(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
