using Google.Protobuf;
using Grpc.Core;
using Recommender.Contracts.V1;
using Recommender.Hosting;
using Recommender.Jobs;
using Recommender.Jobs.Versions;

namespace Recommender.TrainerService;

/// <summary>
/// The TrainerService contract over the job system and the version catalog, both taken through
/// their interfaces from DI (a test or another host can put a different job system behind the same
/// contract). Mapping only.
/// </summary>
internal sealed class TrainerGrpcService(ITrainingJobs jobs, IModelVersionCatalog versions, BearerTokenAuthenticator authenticator, DomainErrors errors)
    : Contracts.V1.TrainerService.TrainerServiceBase
{
    public override Task<StartTrainingResponse> StartTraining(StartTrainingRequest request, ServerCallContext context)
    {
        authenticator.Authorize(context);
        RequestValidation.Check(request);
        return errors.Translate(() =>
            Task.FromResult(new StartTrainingResponse { Job = jobs.Submit(request.ToDomain()).ToContract() }));
    }

    public override Task WatchTraining(WatchTrainingRequest request, IServerStreamWriter<WatchTrainingResponse> responseStream, ServerCallContext context) =>
        errors.Translate(async () =>
        {
            RequestValidation.Check(request);
            var job = jobs.Get(request.JobId);
            var modelName = job.Request.ModelName;
            await foreach (var e in jobs.Watch(job.Id, context.CancellationToken).ConfigureAwait(false))
            {
                var published = e.Kind == JobEventKind.Published && e.Version is { } version ? versions.TryFind(modelName, version) : null;
                await responseStream.WriteAsync(e.ToContract(job.Id, modelName, published), context.CancellationToken).ConfigureAwait(false);
            }
        });

    public override Task<GetTrainingJobResponse> GetTrainingJob(GetTrainingJobRequest request, ServerCallContext context) =>
        errors.Translate(() =>
        {
            RequestValidation.Check(request);
            return Task.FromResult(new GetTrainingJobResponse { Job = jobs.Get(request.JobId).ToContract() });
        });

    public override Task<ListTrainingJobsResponse> ListTrainingJobs(ListTrainingJobsRequest request, ServerCallContext context) =>
        errors.Translate(() =>
        {
            var response = new ListTrainingJobsResponse();
            response.Jobs.AddRange(jobs.List(request.Limit).Select(ContractMapping.ToContract));
            return Task.FromResult(response);
        });

    public override Task<CancelTrainingResponse> CancelTraining(CancelTrainingRequest request, ServerCallContext context)
    {
        authenticator.Authorize(context);
        RequestValidation.Check(request);
        return errors.Translate(() => Task.FromResult(new CancelTrainingResponse { Job = jobs.Cancel(request.JobId).ToContract() }));
    }

    public override Task<ListModelVersionsResponse> ListModelVersions(ListModelVersionsRequest request, ServerCallContext context) =>
        errors.Translate(() =>
        {
            RequestValidation.Check(request);
            var response = new ListModelVersionsResponse();
            response.Versions.AddRange(versions.List(request.ModelName).Select(ContractMapping.ToContract));
            return Task.FromResult(response);
        });

    public override Task DownloadModelVersion(DownloadModelVersionRequest request, IServerStreamWriter<DownloadModelVersionResponse> responseStream,
        ServerCallContext context)
    {
        // The files include seen.safetensors (which items each user rated): per-user data.
        authenticator.Authorize(context);
        return errors.Translate(async () =>
        {
            RequestValidation.Check(request);
            var manifest = versions.Find(request.ModelName, request.Version);
            await responseStream.WriteAsync(new DownloadModelVersionResponse { Manifest = manifest.ToContract() }, context.CancellationToken).ConfigureAwait(false);
            await responseStream.WriteAsync(new DownloadModelVersionResponse { ManifestJson = ByteString.CopyFrom(manifest.ToUtf8Json()) },
                context.CancellationToken).ConfigureAwait(false);
            await foreach (var chunk in versions.ReadFilesAsync(manifest, cancellationToken: context.CancellationToken).ConfigureAwait(false))
            {
                var message = new DownloadModelVersionResponse
                {
                    Chunk = new FileChunk { Path = chunk.Path, Offset = chunk.Offset, Data = ByteString.CopyFrom(chunk.Data.Span), Last = chunk.Last },
                };
                await responseStream.WriteAsync(message, context.CancellationToken).ConfigureAwait(false);
            }
        });
    }
}
