using Microsoft.Extensions.Logging;
using Recommender.Contracts.V1;
using Recommender.Models.Repository;
using Contract = Recommender.Contracts.V1;

namespace Recommender.InferenceService.Tests;

/// <summary>
/// Issue 11's battery, repository side: a version copied in place (refused while incomplete) is
/// served once complete.
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
        Assert.True(_logs.Contains(LogLevel.Information, "version 2, refused earlier, loaded now"), "the late load was not logged");
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
