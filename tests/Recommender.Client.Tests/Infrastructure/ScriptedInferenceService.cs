using Grpc.Core;
using Recommender.Contracts.V1;

namespace Recommender.Client.Tests.Infrastructure;

/// <summary>
/// An InferenceService that fails its first <see cref="FailFirst"/> calls with <see cref="FailWith"/>,
/// then answers after <see cref="Delay"/>; it counts attempts and records the deadline each call arrived with.
/// </summary>
internal sealed class ScriptedInferenceService : InferenceApi.InferenceServiceBase
{
    private int _attempts;

    public int FailFirst { get; init; }

    public StatusCode FailWith { get; init; } = StatusCode.Unavailable;

    public TimeSpan Delay { get; init; }

    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Deadline (UTC) as the server saw it, and when the call arrived.</summary>
    public List<(DateTime Deadline, DateTime ArrivedAt)> Deadlines { get; } = [];

    public override async Task<RecommendResponse> Recommend(RecommendRequest request, ServerCallContext context)
    {
        await AttemptAsync(context).ConfigureAwait(false);
        var response = new RecommendResponse
        {
            Model = new ModelIdentity { Name = "scripted", Version = 7, Kind = ModelKind.Mf },
            UserId = request.UserId,
        };
        for (var i = 0; i < request.TopN; i++)
        {
            response.Items.Add(new ScoredItem { ItemId = 100 + i, Score = 5 - i, Title = $"Item {i}", Genres = { "Drama" } });
        }

        return response;
    }

    public override async Task<GetModelInfoResponse> GetModelInfo(GetModelInfoRequest request, ServerCallContext context)
    {
        await AttemptAsync(context).ConfigureAwait(false);
        return new GetModelInfoResponse();
    }

    private async Task AttemptAsync(ServerCallContext context)
    {
        lock (Deadlines)
        {
            Deadlines.Add((context.Deadline, DateTime.UtcNow));
        }

        if (Interlocked.Increment(ref _attempts) <= FailFirst)
        {
            throw new RpcException(new Status(FailWith, "scripted failure"));
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.CancellationToken).ConfigureAwait(false);
        }
    }
}
