using System.CommandLine;
using Recommender.Client;

namespace Recommender.Cli.Commands;

/// <summary>Where the trainer is and the token for its mutating calls; opens the typed trainer client.</summary>
internal sealed class TrainerClientFlags
{
    public const string TokenVariable = "RECOMMENDER_TRAINER_TOKEN";

    /// <summary>Unary calls' deadline: generous, because a trainer busy training answers slowly on a small machine.</summary>
    public static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(30);

    private bool _withToken;

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
            _withToken = true;
        }
    }

    /// <summary>A connection to the trainer only; dispose it when the command ends. Bad flags throw <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>.</summary>
    public RecommenderConnection Connect(ParseResult parse) => Connect(
        new Uri(parse.GetValue(Address)!),
        _withToken ? parse.GetValue(Token) ?? Environment.GetEnvironmentVariable(TokenVariable) : null);

    public static RecommenderConnection Connect(Uri address, string? token) => RecommenderConnection.Create(o =>
    {
        o.TrainerAddress = address;
        o.Token = token;
        // The operator named this trainer and this token on the command line: sent as told, as curl
        // or grpcurl would, also over h2c to a local or in-cluster trainer.
        o.AllowTokenOverInsecureChannel = true;
        o.DefaultDeadline = CallDeadline;
    });
}
