using Grpc.Core;
using Recommender.Jobs;
using Recommender.Models;
using Recommender.Models.Repository;

namespace Recommender.TrainerService;

/// <summary>Maps job-system and repository failures to gRPC status codes with the domain's message.</summary>
internal static class DomainErrors
{
    public static async Task<T> Translate<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ToStatus(ex) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public static async Task Translate(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ToStatus(ex) is { } status)
        {
            throw new RpcException(status);
        }
    }

    private static Status? ToStatus(Exception ex) => ex switch
    {
        InvalidJobRequestException e => new Status(StatusCode.InvalidArgument, e.Message),
        ArgumentException e => new Status(StatusCode.InvalidArgument, e.Message),
        JobQueueFullException e => new Status(StatusCode.ResourceExhausted, e.Message),
        JobNotFoundException e => new Status(StatusCode.NotFound, e.Message),
        ModelNotFoundException e => new Status(StatusCode.NotFound, e.Message),
        ArtifactFormatException e => new Status(StatusCode.DataLoss, e.Message),
        OperationCanceledException => new Status(StatusCode.Cancelled, "The call was cancelled or its deadline passed."),
        _ => null,
    };
}
