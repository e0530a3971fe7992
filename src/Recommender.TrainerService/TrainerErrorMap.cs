using Grpc.Core;
using Recommender.Hosting;
using Recommender.Jobs;
using Recommender.Models;
using Recommender.Models.Repository;

namespace Recommender.TrainerService;

/// <summary>The job system's and the repository's failures as status codes, with the domain's message.</summary>
internal sealed class TrainerErrorMap : IExceptionStatusMap
{
    public Status? ToStatus(Exception exception) => exception switch
    {
        InvalidJobRequestException e => new Status(StatusCode.InvalidArgument, e.Message),
        // An invalid model name or version (ModelNames.Validate, the catalog); ArgumentNullException never gets here.
        ArgumentException e => new Status(StatusCode.InvalidArgument, e.Message),
        JobQueueFullException e => new Status(StatusCode.ResourceExhausted, e.Message),
        JobNotFoundException e => new Status(StatusCode.NotFound, e.Message),
        ModelNotFoundException e => new Status(StatusCode.NotFound, e.Message),
        ArtifactFormatException e => new Status(StatusCode.DataLoss, e.Message),
        _ => null,
    };
}
