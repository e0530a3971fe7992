using Grpc.Core;
using Recommender.Contracts.V1;
using Recommender.Data;

namespace Recommender.TrainerService.Tests;

public sealed class DatasetConfinementTests
{
    [Theory]
    [InlineData("../outside", "'..'")]
    [InlineData("inside/../../outside", "'..'")]
    [InlineData("/etc", "absolute")]
    [InlineData("OUTSIDE_ABSOLUTE", "absolute")]
    [InlineData("escape-link", "outside the data root")]
    [InlineData("inside/escape-link", "outside the data root")]
    [InlineData("linked-file", "links outside the data root")]
    [InlineData("missing", "does not exist")]
    public async Task Folders_outside_the_data_root_are_refused(string folder, string expected)
    {
        using var temp = new TempFolder();
        var data = temp.Sub("data");
        var outside = temp.Sub("outside");
        new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 30, Items = 40, Ratings = 500 }).Generate(outside);
        Directory.CreateDirectory(Path.Combine(data, "inside"));
        Directory.CreateSymbolicLink(Path.Combine(data, "escape-link"), outside);
        Directory.CreateSymbolicLink(Path.Combine(data, "inside", "escape-link"), outside);
        var linkedFile = Directory.CreateDirectory(Path.Combine(data, "linked-file")).FullName;
        File.CreateSymbolicLink(Path.Combine(linkedFile, "u.data"), Path.Combine(outside, "u.data"));
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), data);

        var request = Requests.Tiny(neural: false);
        request.Dataset = new DatasetSource { Folder = folder == "OUTSIDE_ABSOLUTE" ? outside : folder };
        var error = await Assert.ThrowsAsync<RpcException>(() => server.StartAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("dataset.folder: ", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(expected, error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await server.Client.ListTrainingJobsAsync(new ListTrainingJobsRequest())).Jobs);
    }

    [Fact]
    public async Task A_folder_under_the_data_root_trains_including_through_an_inner_link()
    {
        using var temp = new TempFolder();
        var data = temp.Sub("data");
        new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 60, Items = 80, Ratings = 1500 }).Generate(Path.Combine(data, "sets", "small"));
        Directory.CreateSymbolicLink(Path.Combine(data, "alias"), Path.Combine(data, "sets"));
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), data);

        var request = Requests.Tiny("fromfolder", neural: false);
        request.Dataset = new DatasetSource { Folder = "alias/small" };
        var events = await server.WatchToEndAsync(await server.StartAsync(request), TimeSpan.FromSeconds(60));

        Assert.Equal(WatchTrainingResponse.EventOneofCase.Published, events[^1].EventCase);
    }
}
