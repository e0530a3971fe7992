using System.Net.Http;
using Microsoft.Extensions.Logging;
using Recommender.Contracts.V1;
using Recommender.Models.Repository;
using Contract = Recommender.Contracts.V1;

namespace Recommender.InferenceService.Tests;

/// <summary>
/// Issue 11's battery, repository side: a version copied in place (refused while incomplete) is
/// served once complete, and deleting the served version rolls back loudly.
/// </summary>
public sealed class VersionPublishingTests(ServedRepositoryFixture fixture) : IClassFixture<ServedRepositoryFixture>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("recommender-publishing-tests-").FullName;
    private readonly LogCapture _logs = new();

    private ModelRepository Source => fixture.Repository.Repository;

    private ModelRepository Target => new(_root, TimeProvider.System);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A server that has not let go of a file yet must not fail the test run.
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // the polling pass alone, as on a network volume without events
    public async Task A_version_copied_in_place_is_refused_while_incomplete_and_served_once_complete(bool fileSystemEvents)
    {
        OutsideClient.CopyVersionAtomically(Source, 1, Target, 1);
        await using var server = await StartAsync(new()
        {
            ["Inference:WatchFileSystem"] = fileSystemEvents ? "true" : "false",
            ["Inference:SettleDelay"] = "00:00:00.300",
        });
        await Eventually.ServingAsync(server.Channel);

        // As cp -r or gsutil rsync publish: the folder and manifest first, the other files 2 s later.
        await OutsideClient.CopyVersionInPlaceAsync(Source, 1, Target, 2, TimeSpan.FromSeconds(2));

        await ServedVersionAsync(server, 2, "version 2 was never served after its files landed");
        Assert.True(_logs.Contains(LogLevel.Error, "Refused model movielens version 2"), "the incomplete version was never refused, so nothing was retried");
        // Logged right after the swap, so possibly just after the version answers.
        await Eventually.TrueAsync(() => Task.FromResult(_logs.Contains(LogLevel.Information, "version 2, refused earlier, loaded now")),
            TimeSpan.FromSeconds(5), "the late load was not logged");
    }

    [Fact]
    public async Task Deleting_the_served_version_rolls_back_with_a_warning_and_a_metric_and_deleting_all_keeps_serving_from_memory()
    {
        OutsideClient.CopyVersionAtomically(Source, 1, Target, 1);
        OutsideClient.CopyVersionAtomically(Source, 1, Target, 2);
        await using var server = await StartAsync([]);
        await ServedVersionAsync(server, 2, "version 2 was never served");

        Directory.Delete(Target.VersionPath(ServedRepository.ModelName, 2), recursive: true);

        await ServedVersionAsync(server, 1, "the deletion of version 2 was never noticed");
        Assert.True(_logs.Contains(LogLevel.Warning, "version 2 was deleted while served; rolling back to version 1"), "the rollback was not logged as a warning");
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{server.MetricsPort}/metrics"));
        Assert.Matches("recommender_serving_model_rollbacks_total\\{[^}]*model=\"movielens\"[^}]*\\} [1-9][0-9]*\\n", metrics);

        Directory.Delete(Target.VersionPath(ServedRepository.ModelName, 1), recursive: true);

        await Eventually.TrueAsync(() => Task.FromResult(_logs.Contains(LogLevel.Warning, "version 1 was deleted while served and no other version could be loaded")),
            TimeSpan.FromSeconds(10), "serving a deleted version with nothing to roll back to was not logged");
        await ServedVersionAsync(server, 1, "the last version stopped serving when its folder went");
    }

    private Task<InferenceServer> StartAsync(Dictionary<string, string?> settings)
    {
        settings["Logging:LogLevel:Recommender.Serving.ModelWatcher"] = "Information";
        return InferenceServer.StartAsync(_root, settings, _logs);
    }

    private static async Task ServedVersionAsync(InferenceServer server, long version, string failure)
    {
        var client = new Contract.InferenceService.InferenceServiceClient(server.Channel);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                var info = await client.GetModelInfoAsync(new GetModelInfoRequest());
                return info.Models.Count == 1 && info.Models[0].Version.Version == version;
            }
            catch (Grpc.Core.RpcException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(15), failure);
    }
}
