using System.CommandLine;
using Grpc.Core;
using Grpc.Net.Client;

namespace Recommender.Cli.Commands;

/// <summary>Where the trainer is and the token for its mutating calls.</summary>
internal sealed class TrainerClientFlags
{
    public const string TokenVariable = "RECOMMENDER_TRAINER_TOKEN";

    public Option<string> Address { get; } = new("--address")
    {
        Description = "The trainer's gRPC address.",
        DefaultValueFactory = _ => "http://127.0.0.1:50051",
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"Bearer token for start/cancel (default: ${TokenVariable}).",
    };

    public void AddTo(Command command, bool withToken)
    {
        command.Add(Address);
        if (withToken)
        {
            command.Add(Token);
        }
    }

    public GrpcChannel Channel(ParseResult parse) => GrpcChannel.ForAddress(parse.GetValue(Address)!);

    public Metadata Headers(ParseResult parse)
    {
        var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable(TokenVariable);
        return string.IsNullOrEmpty(token) ? [] : new Metadata { { "authorization", "Bearer " + token } };
    }
}
