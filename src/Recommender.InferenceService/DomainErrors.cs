using Grpc.Core;
using Recommender.Hosting;
using Recommender.Serving;

namespace Recommender.InferenceService;

/// <summary>Maps serving-domain failures to gRPC status codes with the domain's message.</summary>
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

    private static Status? ToStatus(Exception ex) => ex switch
    {
        InvalidRequestException e => new Status(StatusCode.InvalidArgument, e.Message),
        LimitExceededException e => new Status(StatusCode.ResourceExhausted, e.Message),
        BatcherFullException e => new Status(StatusCode.ResourceExhausted, e.Message),
        UnknownIdsException e => new Status(StatusCode.NotFound, $"{e.Field}: unknown id(s) {StatusText.Ids(e.Ids)}"),
        ModelNotFoundException e => new Status(StatusCode.NotFound, e.Message),
        ModelNotLoadedException e => new Status(StatusCode.FailedPrecondition, e.Message),
        OperationCanceledException => new Status(StatusCode.Cancelled, "The call was cancelled or its deadline passed."),
        _ => null,
    };
}
