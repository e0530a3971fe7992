using System.CommandLine;
using Recommender.InferenceService;

namespace Recommender.Cli.Commands;

/// <summary>`recommender inference serve [--Section:Key=value ...]`: the inference gRPC service.</summary>
internal static class InferenceCommands
{
    public static Command Create()
    {
        var serve = new Command("serve", "Run the inference service (configuration as --Inference:RepositoryPath=DIR, --Endpoints:GrpcPort=50051, ...).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        serve.SetAction((parse, cancellationToken) =>
            HostRunner.RunAsync(InferenceServiceHost.Build([.. parse.UnmatchedTokens]), cancellationToken));
        return new Command("inference", "The inference service.") { serve };
    }
}
