using Grpc.Core;
using Recommender.Contracts.V1;
using Recommender.Hosting;

namespace Recommender.TrainerService.Tests;

/// <summary>
/// Issue 11's battery, trainer side: oversized identifiers are INVALID_ARGUMENT with a short
/// message naming the field, before any lookup, and the channel keeps working afterwards.
/// </summary>
public sealed class ContractBoundsTests : IAsyncLifetime
{
    private static readonly string Huge = new('j', 100_000);

    private readonly TempFolder _temp = new();
    private TrainerServer _server = null!;

    public async Task InitializeAsync() => _server = await TrainerServer.StartAsync(_temp.Sub("models"), _temp.Sub("data"));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_huge_job_id_is_invalid_with_a_short_message_and_the_channel_keeps_working()
    {
        var client = _server.Client;

        await ExpectAsync("job_id", client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = Huge }, deadline: Deadline()).ResponseAsync);
        await ExpectAsync("job_id", client.CancelTrainingAsync(new CancelTrainingRequest { JobId = Huge }, TrainerServer.Auth(), Deadline()).ResponseAsync);
        await ExpectAsync("job_id", FirstAsync(client.WatchTraining(new WatchTrainingRequest { JobId = Huge }, deadline: Deadline())));

        Assert.Empty((await client.ListTrainingJobsAsync(new ListTrainingJobsRequest(), deadline: Deadline())).Jobs);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = new string('0', 32) }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_huge_model_name_or_other_string_is_invalid_with_a_short_message()
    {
        var client = _server.Client;
        var training = Requests.Tiny();
        training.ModelName = Huge;
        await ExpectAsync("model_name", client.StartTrainingAsync(training, TrainerServer.Auth(), Deadline()).ResponseAsync);
        training = Requests.Tiny();
        training.Split = Huge;
        await ExpectAsync("split", client.StartTrainingAsync(training, TrainerServer.Auth(), Deadline()).ResponseAsync);
        training = Requests.Tiny();
        training.Dataset = new DatasetSource { Folder = Huge };
        await ExpectAsync("dataset.folder", client.StartTrainingAsync(training, TrainerServer.Auth(), Deadline()).ResponseAsync);
        training.Dataset = new DatasetSource { Movielens = Huge };
        await ExpectAsync("dataset.movielens", client.StartTrainingAsync(training, TrainerServer.Auth(), Deadline()).ResponseAsync);

        await ExpectAsync("model_name", client.ListModelVersionsAsync(new ListModelVersionsRequest { ModelName = Huge }, deadline: Deadline()).ResponseAsync);
        await ExpectAsync("model_name", FirstAsync(client.DownloadModelVersion(new DownloadModelVersionRequest { ModelName = Huge }, TrainerServer.Auth(), Deadline())));

        Assert.Empty((await client.ListModelVersionsAsync(new ListModelVersionsRequest(), deadline: Deadline())).Versions);
    }

    [Fact]
    public async Task An_undefined_mf_variant_is_invalid_and_nothing_is_queued()
    {
        var training = Requests.Tiny(neural: false);
        training.Mf.Variant = (MfVariant)42;

        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Client.StartTrainingAsync(training, TrainerServer.Auth(), Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("mf.variant: 42 ", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("MF_VARIANT_BIASED", error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await _server.Client.ListTrainingJobsAsync(new ListTrainingJobsRequest(), deadline: Deadline())).Jobs);
    }

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(20);

    private static async Task<T> FirstAsync<T>(AsyncServerStreamingCall<T> call)
    {
        using (call)
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "the stream ended without a message");
            return call.ResponseStream.Current;
        }
    }

    private static async Task ExpectAsync<T>(string field, Task<T> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ": ", error.Status.Detail, StringComparison.Ordinal);
        Assert.True(error.Status.Detail.Length <= StatusText.MaxMessageChars, $"a {error.Status.Detail.Length}-character status message");
    }
}
