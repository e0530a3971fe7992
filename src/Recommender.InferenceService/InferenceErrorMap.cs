using Grpc.Core;
using Recommender.Hosting;
using Recommender.Serving;

namespace Recommender.InferenceService;

/// <summary>The serving domain's failures as status codes, with the domain's message (which names the field).</summary>
internal sealed class InferenceErrorMap : IExceptionStatusMap
{
    public Status? ToStatus(Exception exception) => exception switch
    {
        InvalidRequestException e => new Status(StatusCode.InvalidArgument, e.Message),
        LimitExceededException e => new Status(StatusCode.ResourceExhausted, e.Message),
        BatcherFullException e => new Status(StatusCode.ResourceExhausted, e.Message),
        UnknownIdsException e => new Status(StatusCode.NotFound, $"{e.Field}: unknown id(s) {StatusText.Ids(e.Ids)}"),
        Models.Repository.ModelNotFoundException e => new Status(StatusCode.NotFound, e.Message),
        ModelNotLoadedException e => new Status(StatusCode.FailedPrecondition, e.Message),
        _ => null,
    };
}
