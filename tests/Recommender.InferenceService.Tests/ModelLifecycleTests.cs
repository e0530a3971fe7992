using System.Diagnostics.Metrics;
using System.Net.Http;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using Recommender.Contracts.V1;
using Recommender.Serving;
using Xunit.Abstractions;
using Contract = Recommender.Contracts.V1;

namespace Recommender.InferenceService.Tests;

/// <summary>Hot reload, refusal of bad versions, operations endpoints, provider selection, draining.</summary>
public sealed class ModelLifecycleTests(ITestOutputHelper output) : IDisposable
{
    private readonly ServedRepository _repository = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task A_new_version_is_served_without_restart_and_a_corrupt_one_is_refused_while_the_old_keeps_serving()
    {
        _repository.Publish(seed: 1);
        await using var server = await InferenceServer.StartAsync(_repository.RepositoryPath);
        await Eventually.ServingAsync(server.Channel);
        var client = new Contract.InferenceService.InferenceServiceClient(server.Channel);
        Assert.Equal(1, (await client.GetModelInfoAsync(new GetModelInfoRequest())).Models[0].Version.Version);

        _repository.Publish(seed: 2);
        await Eventually.TrueAsync(async () => (await client.GetModelInfoAsync(new GetModelInfoRequest())).Models[0].Version.Version == 2,
            TimeSpan.FromSeconds(20), "version 2 was never served");

        // Version 3: a copy of version 2 with one byte of the factor file flipped (its checksum no longer matches).
        using var loads = new LoadOutcomes(server.App.Services);
        var v2 = _repository.Repository.VersionPath(ServedRepository.ModelName, 2);
        var staging = Path.Combine(Path.GetDirectoryName(v2)!, ".staging-corrupt");
        CopyDirectory(v2, staging);
        var factors = Path.Combine(staging, "mf.safetensors");
        var bytes = await File.ReadAllBytesAsync(factors);
        bytes[^5] ^= 0x40;
        await File.WriteAllBytesAsync(factors, bytes);
        var manifest = Path.Combine(staging, "manifest.json");
        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(manifest)).Replace("\"version\": 2", "\"version\": 3", StringComparison.Ordinal)
            .Replace("\"version\":2", "\"version\":3", StringComparison.Ordinal));
        Directory.Move(staging, Path.Combine(Path.GetDirectoryName(v2)!, "3"));

        // The refusal itself (the server's load counter, outcome "refused"), then version 2 still answers.
        await loads.Refused.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, loads.Loaded);
        var info = await client.GetModelInfoAsync(new GetModelInfoRequest());
        Assert.Equal(2, info.Models[0].Version.Version);
        var answer = await client.RecommendAsync(new RecommendRequest { UserId = _repository.Dataset.Ratings.UserIds[0], TopN = 3 });
        Assert.Equal(2, answer.Model.Version);
    }

    [Fact]
    public async Task Health_is_not_serving_until_a_model_is_loaded()
    {
        await using var server = await InferenceServer.StartAsync(_repository.RepositoryPath);
        var health = new Health.HealthClient(server.Channel);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
        // Alive while waiting for a model: liveness probes must not restart the pod.
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "liveness" })).Status);
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new Contract.InferenceService.InferenceServiceClient(server.Channel).RecommendAsync(new RecommendRequest { UserId = 1, TopN = 1 }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);

        _repository.Publish();
        await Eventually.ServingAsync(server.Channel);
    }

    [Fact]
    public async Task Reflection_lists_the_services_and_metrics_are_exported_for_prometheus()
    {
        _repository.Publish();
        await using var server = await InferenceServer.StartAsync(_repository.RepositoryPath);
        await Eventually.ServingAsync(server.Channel);
        var client = new Contract.InferenceService.InferenceServiceClient(server.Channel);
        await client.RecommendAsync(new RecommendRequest { UserId = _repository.Dataset.Ratings.UserIds[0], TopN = 3 });
        await Assert.ThrowsAsync<RpcException>(() => client.PredictRatingsAsync(new PredictRatingsRequest()).ResponseAsync);

        var reflection = new ServerReflection.ServerReflectionClient(server.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToArray();
        Assert.Contains("recommender.v1.InferenceService", services);
        Assert.Contains("grpc.health.v1.Health", services);

        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{server.MetricsPort}/metrics"));
        Assert.Contains("recommender_grpc_calls_total", text, StringComparison.Ordinal);
        Assert.Contains("InvalidArgument", text, StringComparison.Ordinal);
        Assert.Contains("recommender_grpc_latency_seconds", text, StringComparison.Ordinal);
        Assert.Contains("recommender_serving_model_loaded_version", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_version_published_while_serving_reports_its_artifact_size_load_memory_and_time_to_serving()
    {
        await using var server = await InferenceServer.StartAsync(_repository.RepositoryPath);

        // This server's instruments only (the host's IMeterFactory scopes them): the Prometheus
        // registry is process-wide and also holds what earlier servers in this process recorded.
        var factory = server.App.Services.GetRequiredService<IMeterFactory>();
        var publishToServing = new List<double>();
        var versionOne = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Meter.Name == ServingMetrics.MeterName
                && instrument.Name is "model_publish_to_serving_seconds" or "model_artifact_bytes" or "model_load_resident_bytes")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (publishToServing)
            {
                publishToServing.Add(value);
            }
        });
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "version" && Equals(tag.Value, 1L))
                {
                    versionOne[instrument.Name] = value;
                }
            }
        });
        listener.Start();

        var published = System.Diagnostics.Stopwatch.StartNew();
        _repository.Publish(seed: 1);
        await Eventually.ServingAsync(server.Channel);
        var waited = published.Elapsed.TotalSeconds;
        listener.RecordObservableInstruments();

        var folder = _repository.Repository.VersionPath(ServedRepository.ModelName, 1);
        var onDisk = Directory.EnumerateFiles(folder).Where(f => Path.GetFileName(f) != "manifest.json").Sum(f => new FileInfo(f).Length);
        Assert.Equal(onDisk, versionOne["model_artifact_bytes"]);
        Assert.InRange(versionOne["model_load_resident_bytes"], 0, 1L << 30);
        await Eventually.TrueAsync(() => Task.FromResult(Recorded(publishToServing) == 1), TimeSpan.FromSeconds(10), "no publish-to-serving time was recorded");
        Assert.InRange(publishToServing[0], 0, waited);

        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{server.MetricsPort}/metrics"));
        Assert.Contains("recommender_serving_model_artifact_bytes", text, StringComparison.Ordinal);
        Assert.Contains("recommender_serving_model_load_resident_bytes", text, StringComparison.Ordinal);
        Assert.Contains("recommender_serving_model_publish_to_serving_seconds", text, StringComparison.Ordinal);
    }

    private static int Recorded(List<double> values)
    {
        lock (values)
        {
            return values.Count;
        }
    }

    [Fact]
    public async Task Cuda_required_either_runs_on_cuda_or_refuses_to_start()
    {
        _repository.Publish();
        // Which branch must run is decided here, independently of the server: can this process
        // append ORT's CUDA provider (library, CUDA and cuDNN all loadable)?
        var cudaUsable = CudaProviderLoads(out var probeError);
        var settings = new Dictionary<string, string?> { ["Inference:ExecutionProvider"] = "Cuda" };
        if (!cudaUsable)
        {
            output.WriteLine($"branch: no usable CUDA in this process ({probeError}); the server must refuse to start");
            var error = await Assert.ThrowsAsync<ExecutionProviderUnavailableException>(() => InferenceServer.StartAsync(_repository.RepositoryPath, settings));
            // The clear error: names the setting, the provider and why, instead of starting on CPU silently.
            Assert.StartsWith("Inference:ExecutionProvider is Cuda but the CUDA execution provider (device 0) cannot be used: ", error.Message, StringComparison.Ordinal);
            Assert.IsType<OnnxRuntimeException>(error.InnerException);
            return;
        }

        output.WriteLine("branch: CUDA usable in this process; the server must serve on CUDAExecutionProvider");
        await using var server = await InferenceServer.StartAsync(_repository.RepositoryPath, settings);
        await Eventually.ServingAsync(server.Channel);
        var info = await new Contract.InferenceService.InferenceServiceClient(server.Channel).GetModelInfoAsync(new GetModelInfoRequest());
        Assert.Equal("CUDAExecutionProvider", info.Models[0].ExecutionProvider);
    }

    private static bool CudaProviderLoads(out string? error)
    {
        try
        {
            using var options = new SessionOptions();
            options.AppendExecutionProvider_CUDA(0);
            error = null;
            return true;
        }
        catch (OnnxRuntimeException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    [Fact]
    public async Task Shutdown_reports_not_serving_while_still_answering_during_the_drain_delay()
    {
        _repository.Publish();
        var server = await InferenceServer.StartAsync(_repository.RepositoryPath, new Dictionary<string, string?> { ["Endpoints:DrainDelay"] = "00:00:02" });
        await Eventually.ServingAsync(server.Channel);
        var health = new Health.HealthClient(server.Channel);

        var stopping = Task.Run(() => server.App.StopAsync());
        await Eventually.TrueAsync(async () => (await health.CheckAsync(new HealthCheckRequest())).Status == HealthCheckResponse.Types.ServingStatus.NotServing,
            TimeSpan.FromSeconds(2), "health never went NOT_SERVING during the drain");
        var answer = await new Contract.InferenceService.InferenceServiceClient(server.Channel)
            .RecommendAsync(new RecommendRequest { UserId = _repository.Dataset.Ratings.UserIds[0], TopN = 2 });
        Assert.Equal(2, answer.Items.Count);

        await stopping;
        await server.DisposeAsync();
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
