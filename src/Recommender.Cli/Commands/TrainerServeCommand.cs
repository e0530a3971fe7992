using System.CommandLine;
using Microsoft.Extensions.Hosting;
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
        command.SetAction((parse, cancellationToken) => TrainerCommandAction.Run(async () =>
        {
            await using var app = TrainerServiceHost.Build([.. parse.UnmatchedTokens]);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            // Ctrl+C cancels the token: the host then drains and stops as it would on SIGTERM.
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
