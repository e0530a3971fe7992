using Grpc.Core;
using Microsoft.Extensions.Options;
using Recommender.Contracts.V1;

namespace Recommender.TrainerService.Tests;

public sealed class AuthenticationTests
{
    [Fact]
    public async Task Mutating_calls_need_the_right_bearer_token_and_read_calls_are_open()
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"));
        var client = server.Client;

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await client.StartTrainingAsync(Requests.Tiny()));
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        var notBearer = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.StartTrainingAsync(Requests.Tiny(), new Metadata { { "authorization", "Basic " + TrainerServer.Token } }));
        Assert.Equal(StatusCode.Unauthenticated, notBearer.StatusCode);
        var wrong = await Assert.ThrowsAsync<RpcException>(async () => await client.StartTrainingAsync(Requests.Tiny(), TrainerServer.Auth("wrong-token")));
        Assert.Equal(StatusCode.PermissionDenied, wrong.StatusCode);
        var prefix = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.StartTrainingAsync(Requests.Tiny(), TrainerServer.Auth(TrainerServer.Token[..^1])));
        Assert.Equal(StatusCode.PermissionDenied, prefix.StatusCode);
        Assert.Empty((await client.ListTrainingJobsAsync(new ListTrainingJobsRequest())).Jobs);

        var id = (await client.StartTrainingAsync(Requests.Tiny(neural: false), TrainerServer.Auth())).Job.JobId;

        var cancelMissing = await Assert.ThrowsAsync<RpcException>(async () => await client.CancelTrainingAsync(new CancelTrainingRequest { JobId = id }));
        Assert.Equal(StatusCode.Unauthenticated, cancelMissing.StatusCode);
        var cancelWrong = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.CancelTrainingAsync(new CancelTrainingRequest { JobId = id }, TrainerServer.Auth("nope")));
        Assert.Equal(StatusCode.PermissionDenied, cancelWrong.StatusCode);

        // Read calls need no token.
        Assert.Equal(id, (await client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = id })).Job.JobId);
        var events = await server.WatchToEndAsync(id, TimeSpan.FromSeconds(60));
        Assert.Equal(WatchTrainingResponse.EventOneofCase.Published, events[^1].EventCase);
        Assert.Single((await client.ListModelVersionsAsync(new ListModelVersionsRequest())).Versions);
    }

    [Fact]
    public async Task Downloading_a_version_needs_the_token_because_its_files_hold_per_user_data()
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"));
        var request = new DownloadModelVersionRequest { ModelName = "movielens", Version = 1 };

        Assert.Equal(StatusCode.Unauthenticated, (await DownloadErrorAsync(server.Client.DownloadModelVersion(request))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await DownloadErrorAsync(server.Client.DownloadModelVersion(request, TrainerServer.Auth("wrong")))).StatusCode);
        // With the token the call gets past the check to the lookup (nothing is published here).
        Assert.Equal(StatusCode.NotFound, (await DownloadErrorAsync(server.Client.DownloadModelVersion(request, TrainerServer.Auth()))).StatusCode);
        // Listing stays open.
        Assert.Empty((await server.Client.ListModelVersionsAsync(new ListModelVersionsRequest())).Versions);
    }

    [Fact]
    public async Task Authentication_can_be_disabled_for_local_development()
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"), new Dictionary<string, string?>
        {
            ["Trainer:AuthToken"] = "",
            ["Trainer:RequireAuthentication"] = "false",
        });

        var job = (await server.Client.StartTrainingAsync(Requests.Tiny(neural: false))).Job;
        var cancelled = await server.Client.CancelTrainingAsync(new CancelTrainingRequest { JobId = job.JobId });
        Assert.Equal(job.JobId, cancelled.Job.JobId);
    }

    [Fact]
    public async Task A_trainer_requiring_authentication_without_a_token_refuses_to_start()
    {
        using var temp = new TempFolder();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"), new Dictionary<string, string?> { ["Trainer:AuthToken"] = "" }));
        Assert.Contains("Trainer:AuthToken is required", error.Message, StringComparison.Ordinal);
    }

    private static async Task<RpcException> DownloadErrorAsync(AsyncServerStreamingCall<DownloadModelVersionResponse> call)
    {
        using (call)
        {
            return await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        }
    }
}
