using System.CommandLine;
using Recommender.TrainerService;

namespace Recommender.Cli.Commands;

/// <summary>
/// `recommender trainer serve --Trainer:RepositoryPath=models --Trainer:DataRoot=data ...`: the same
/// host as the trainer executable; every argument is passed on as configuration.
/// </summary>
internal static class TrainerServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve",
            "Run the trainer service. Pass configuration as --Section:Key=value, e.g. --Trainer:RepositoryPath=models " +
            "--Trainer:DataRoot=data --Trainer:AuthToken=secret --Endpoints:GrpcPort=50051 (or Trainer__* environment variables).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((parse, cancellationToken) => TrainerCommandAction.Run(() =>
            HostRunner.RunAsync(TrainerServiceHost.Build([.. parse.UnmatchedTokens]), cancellationToken)));
        return command;
    }
}
