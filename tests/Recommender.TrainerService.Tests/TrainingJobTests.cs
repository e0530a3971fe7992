using System.Security.Cryptography;
using Grpc.Core;
using Recommender.Contracts.V1;
using Recommender.Models.Repository;

namespace Recommender.TrainerService.Tests;

public sealed class TrainingJobTests
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Start_watch_publish_streams_every_event_and_publishes_one_version()
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"));

        var started = await server.Client.StartTrainingAsync(Requests.Tiny("tiny"), TrainerServer.Auth());
        Assert.Equal(JobState.Queued, started.Job.State);
        Assert.Equal("tiny", started.Job.ModelName);
        var events = await server.WatchToEndAsync(started.Job.JobId, JobTimeout);

        var kinds = events.Select(e => e.EventCase).ToList();
        Assert.Equal(WatchTrainingResponse.EventOneofCase.Queued, kinds[0]);
        Assert.Equal(WatchTrainingResponse.EventOneofCase.Started, kinds[1]);
        Assert.Equal(WatchTrainingResponse.EventOneofCase.Exporting, kinds[^2]);
        Assert.Equal(WatchTrainingResponse.EventOneofCase.Published, kinds[^1]);
        var epochs = events.Where(e => e.EventCase == WatchTrainingResponse.EventOneofCase.Epoch).Select(e => e.Epoch).ToList();
        Assert.Equal([1, 2, 3], epochs.Where(e => e.Kind == ModelKind.Mf).Select(e => e.Epoch));
        Assert.Equal([1], epochs.Where(e => e.Kind == ModelKind.Neural).Select(e => e.Epoch));
        Assert.All(epochs, e => Assert.True(e.TrainLoss > 0 && e.ValidationRmse > 0));

        var published = events[^1].Published.Version;
        Assert.Equal("tiny", published.Name);
        Assert.Equal(1, published.Version);
        Assert.Contains(ModelKind.Mf, published.Kinds);
        Assert.Contains(ModelKind.Neural, published.Kinds);
        Assert.Contains(published.Metrics, m => m.Name == "mf.rmse" && m.Value > 0);

        var job = (await server.Client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = started.Job.JobId })).Job;
        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(1, job.PublishedVersion);
        Assert.NotNull(job.StartedAt);
        Assert.NotNull(job.FinishedAt);
        Assert.Equal(8, job.Request.Mf.Factors);

        var repository = new ModelRepository(Path.Combine(temp.Path, "models"), TimeProvider.System);
        Assert.Equal([1L], repository.ListVersions("tiny"));
        Assert.Equal(1, repository.OpenVersion("tiny", 1).Manifest.Version);
        Assert.Equal(["tiny"], repository.ListModelNames());

        var versions = await server.Client.ListModelVersionsAsync(new ListModelVersionsRequest());
        var listed = Assert.Single(versions.Versions);
        Assert.Equal(1, listed.Version);
        Assert.Contains(listed.Metrics, m => m.Name == "neural.rmse");
    }

    [Fact]
    public async Task A_job_trains_what_train_all_trains_bayesian_mf_neumf_with_side_features_and_the_blend()
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"));
        var request = new StartTrainingRequest
        {
            ModelName = "all",
            Dataset = new DatasetSource { Synthetic = new SyntheticDataset { Users = 60, Items = 80, Ratings = 1500, Seed = 7 } },
            Mf = new MfParameters { Variant = MfVariant.Bayesian, Epochs = 6 },
            Neural = new NeuralParameters { Architecture = NeuralArchitecture.Neumf, Epochs = 2 },
            Blend = new BlendParameters { NoAutorec = true },
            ValidationFraction = 0.1f,
        };

        var id = await server.StartAsync(request);
        var events = await server.WatchToEndAsync(id, JobTimeout);

        Assert.Equal(WatchTrainingResponse.EventOneofCase.Published, events[^1].EventCase);
        var published = events[^1].Published.Version;
        Assert.Equal([ModelKind.Mf, ModelKind.Neural, ModelKind.Blend], published.Kinds);
        Assert.Contains(published.Metrics, m => m.Name == "blend.rmse" && m.Value > 0);
        var manifest = new ModelRepository(Path.Combine(temp.Path, "models"), TimeProvider.System).OpenVersion("all", 1).Manifest;
        Assert.Equal("bayesian", manifest.HyperParameters["mf.variant"]);
        Assert.Equal("neumf", manifest.HyperParameters["neural.architecture"]);
        // The NeuMF defaults, as `train all` has them: three networks of dropout 0.4.
        Assert.Equal("0.4", manifest.HyperParameters["neural.dropout"]);
        Assert.Equal("3", manifest.HyperParameters["neural.ensemble"]);
        // The synthetic generator writes u.user and u.item: the network trained with their features.
        Assert.NotEqual("0", manifest.HyperParameters["neural.side_features"]);
        var job = (await server.Client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = id })).Job;
        Assert.True(job.Request.Blend.NoAutorec);
        Assert.Equal(0.1f, job.Request.ValidationFraction);
        Assert.Equal(NeuralArchitecture.Neumf, job.Request.Neural.Architecture);
    }

    [Theory]
    [InlineData(EmbeddingUpdates.Lazy, "lazy")]
    [InlineData(EmbeddingUpdates.Dense, "dense")]
    [InlineData(EmbeddingUpdates.Unspecified, "dense")] // auto: a 140-row catalog is far below the lazy threshold
    public async Task A_job_trains_with_the_embedding_updates_it_asks_for_and_keeps_them_in_its_record(EmbeddingUpdates updates, string ran)
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"));
        var request = Requests.Tiny("updates", neural: true);
        request.Mf = null;
        request.Neural.EmbeddingUpdates = updates;

        var id = await server.StartAsync(request);
        var events = await server.WatchToEndAsync(id, JobTimeout);

        Assert.Equal(WatchTrainingResponse.EventOneofCase.Published, events[^1].EventCase);
        var manifest = new ModelRepository(Path.Combine(temp.Path, "models"), TimeProvider.System).OpenVersion("updates", 1).Manifest;
        Assert.Equal(ran, manifest.HyperParameters["neural.embedding_updates"]);
        var job = (await server.Client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = id })).Job;
        Assert.Equal(updates, job.Request.Neural.EmbeddingUpdates);
    }

    [Fact]
    public async Task Watchers_joining_late_or_together_all_get_the_full_history()
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"));
        var id = await server.StartAsync(Requests.Tiny(neural: false));

        var concurrent = await Task.WhenAll(server.WatchToEndAsync(id, JobTimeout), server.WatchToEndAsync(id, JobTimeout));
        var late = await server.WatchToEndAsync(id, JobTimeout);

        Assert.Equal(concurrent[0].Select(e => e.ToString()), concurrent[1].Select(e => e.ToString()));
        Assert.Equal(concurrent[0].Select(e => e.ToString()), late.Select(e => e.ToString()));
        Assert.Equal(WatchTrainingResponse.EventOneofCase.Published, late[^1].EventCase);
    }

    [Fact]
    public async Task Jobs_run_one_at_a_time_and_list_most_recent_first()
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"));
        var first = await server.StartAsync(Requests.Tiny("same", neural: false));
        var second = await server.StartAsync(Requests.Tiny("same", neural: false));

        var secondEvents = await server.WatchToEndAsync(second, JobTimeout);
        var firstJob = (await server.Client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = first })).Job;
        var secondJob = (await server.Client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = second })).Job;

        Assert.Equal(1, secondEvents[0].Queued.Position);
        Assert.Equal(1, firstJob.PublishedVersion);
        Assert.Equal(2, secondJob.PublishedVersion);
        // One at a time: the second started only after the first had finished.
        Assert.True(secondJob.StartedAt.ToDateTimeOffset() >= firstJob.FinishedAt.ToDateTimeOffset());

        var listed = await server.Client.ListTrainingJobsAsync(new ListTrainingJobsRequest { Limit = 1 });
        Assert.Equal([second], listed.Jobs.Select(j => j.JobId));
        var all = await server.Client.ListTrainingJobsAsync(new ListTrainingJobsRequest());
        Assert.Equal([second, first], all.Jobs.Select(j => j.JobId));
    }

    [Fact]
    public async Task Only_the_newest_records_are_retained_beyond_the_limit()
    {
        using var temp = new TempFolder();
        var models = temp.Sub("models");
        await using var server = await TrainerServer.StartAsync(models, temp.Sub("data"),
            new Dictionary<string, string?> { ["Trainer:MaxRetainedJobs"] = "2" });
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await server.StartAsync(Requests.Tiny("kept", neural: false)));
            await server.WatchToEndAsync(ids[^1], JobTimeout);
        }

        var listed = await server.Client.ListTrainingJobsAsync(new ListTrainingJobsRequest());
        Assert.Equal([ids[2], ids[1]], listed.Jobs.Select(j => j.JobId));
        var gone = await Assert.ThrowsAsync<RpcException>(async () => await server.Client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = ids[0] }));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.False(File.Exists(Path.Combine(models, ".jobs", ids[0] + ".json")));
        Assert.True(File.Exists(Path.Combine(models, ".jobs", ids[2] + ".json")));
        // Pruning records never touches the versions their jobs published.
        Assert.Equal(3, (await server.Client.ListModelVersionsAsync(new ListModelVersionsRequest())).Versions.Count);
    }

    [Fact]
    public async Task Unknown_jobs_and_versions_are_not_found()
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"));

        var get = await Assert.ThrowsAsync<RpcException>(async () => await server.Client.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = "nope" }));
        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        Assert.Contains("nope", get.Status.Detail, StringComparison.Ordinal);
        var watch = await Assert.ThrowsAsync<RpcException>(() => server.WatchToEndAsync("nope", TimeSpan.FromSeconds(10)));
        Assert.Equal(StatusCode.NotFound, watch.StatusCode);
        var download = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = server.Client.DownloadModelVersion(new DownloadModelVersionRequest { ModelName = "absent" }, TrainerServer.Auth());
            await call.ResponseStream.MoveNext();
        });
        Assert.Equal(StatusCode.NotFound, download.StatusCode);
    }

    [Fact]
    public async Task DownloadModelVersion_streams_the_manifest_then_every_file_whole()
    {
        using var temp = new TempFolder();
        await using var server = await TrainerServer.StartAsync(temp.Sub("models"), temp.Sub("data"));
        await server.WatchToEndAsync(await server.StartAsync(Requests.Tiny("dl")), JobTimeout);

        using var call = server.Client.DownloadModelVersion(new DownloadModelVersionRequest { ModelName = "dl", Version = 0 }, TrainerServer.Auth());
        var messages = new List<DownloadModelVersionResponse>();
        await foreach (var m in call.ResponseStream.ReadAllAsync())
        {
            messages.Add(m);
        }

        var manifest = messages[0].Manifest;
        Assert.Equal(1, manifest.Version);
        Assert.Equal(DownloadModelVersionResponse.PartOneofCase.ManifestJson, messages[1].PartCase);
        var files = messages.Skip(2).Select(m => m.Chunk).GroupBy(c => c.Path).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(manifest.Files.Select(f => f.Path).Order(), files.Keys.Order());
        foreach (var file in manifest.Files)
        {
            var chunks = files[file.Path];
            Assert.True(chunks[^1].Last);
            Assert.All(chunks.SkipLast(1), c => Assert.False(c.Last));
            var bytes = chunks.SelectMany(c => c.Data.ToByteArray()).ToArray();
            Assert.Equal(file.SizeBytes, bytes.Length);
            Assert.Equal(file.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
    }
}
