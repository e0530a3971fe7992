using System.CommandLine;

namespace Recommender.Cli.Commands;

/// <summary>`recommender trainer serve|start|watch|cancel|jobs|versions`: run the trainer service, or drive a running one.</summary>
internal static class TrainerCommands
{
    public static Command Create() => new("trainer", "Run the trainer gRPC service, or start, watch and cancel jobs on a running one.")
    {
        TrainerServeCommand.Create(),
        TrainerStartCommand.Create(),
        TrainerClientCommands.Watch(),
        TrainerClientCommands.Cancel(),
        TrainerClientCommands.Jobs(),
        TrainerClientCommands.Versions(),
    };
}
