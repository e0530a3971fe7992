using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Recommender.Models.Repository;
using Recommender.Reporting;
using Recommender.Serving;

namespace Recommender.Cli.Commands.Bench;

/// <summary>
/// The ceiling: the bench's request sizes done in this process by the serving code, on one thread,
/// with no gRPC. Two paths per prediction size: the bare scorer over dense indices (ONNX Runtime,
/// one intra-op thread, for neural; SIMD dot products for MF) and the engine an RPC handler calls
/// (id mapping, clipping; dynamic batching off, so the run happens on the calling thread).
/// </summary>
internal sealed class BenchCeiling : IDisposable
{
    private readonly ServableModel _model;
    private readonly ModelRegistry _registry = new();
    private readonly RecommendationEngine _engine;
    private readonly ServingMetrics _metrics = new();
    private readonly BenchIds _ids;

    public BenchCeiling(string repositoryPath, string modelName, long version, BenchIds ids)
    {
        var options = Options.Create(new InferenceOptions
        {
            RepositoryPath = repositoryPath,
            ExecutionProvider = ExecutionProviderPreference.Cpu,
            IntraOpThreads = 1,
            Batching = new BatchingOptions { Enabled = false },
        });
        var sessions = new OnnxSessionFactory(ExecutionProviderPreference.Cpu, 0, 1, NullLogger<OnnxSessionFactory>.Instance);
        _model = new ServableModelLoader(new ModelRepository(repositoryPath, TimeProvider.System), sessions, options, _metrics).Load(modelName, version);
        _registry.Install(_model);
        _engine = new RecommendationEngine(_registry, options);
        _ids = ids;
    }

    public IEnumerable<CeilingResult> Run(BenchCase benchCase, TimeSpan warmup, TimeSpan duration, long maxCalls, CancellationToken cancellationToken)
    {
        var kind = benchCase.Model == BenchCase.Mf ? ServedKind.Mf : ServedKind.Neural;
        if (!_model.Has(kind))
        {
            yield break;
        }

        var random = new Random(7);
        if (benchCase.Operation == BenchCase.Predict)
        {
            var n = benchCase.Size;
            var userIndex = new long[n];
            var itemIndex = new long[n];
            var userIds = new long[n];
            var itemIds = new long[n];
            for (var i = 0; i < n; i++)
            {
                userIndex[i] = random.Next(_model.Ids.Users.Count);
                itemIndex[i] = random.Next(_model.Ids.Items.Count);
                userIds[i] = _model.Ids.Users.ExternalId((int)userIndex[i]);
                itemIds[i] = _model.Ids.Items.ExternalId((int)itemIndex[i]);
            }

            var scorer = _model.Kind(kind)?.Ratings;
            if (scorer is null)
            {
                yield break;
            }

            var scores = new float[n];
            yield return Measure(benchCase, "scorer", n, warmup, duration, maxCalls, () => scorer.Score(userIndex, itemIndex, scores), cancellationToken);

            var query = new PredictionQuery(new ModelSelector(null, 0, kind), userIds, itemIds, UnknownIdHandling.Reject);
            yield return Measure(benchCase, "engine", n, warmup, duration, maxCalls,
                () => _engine.PredictAsync(query, CancellationToken.None).GetAwaiter().GetResult(), cancellationToken);
        }
        else
        {
            var users = Enumerable.Range(0, 64).Select(_ => _ids.Users[random.Next(_ids.Users.Length)]).ToArray();
            var next = 0;
            yield return Measure(benchCase, "engine", _model.Ids.Items.Count, warmup, duration, maxCalls, () =>
            {
                var query = new RecommendationQuery(new ModelSelector(null, 0, kind), [users[next++ % users.Length]], benchCase.Size, false, [], [], false);
                _engine.RecommendAsync(query, CancellationToken.None).GetAwaiter().GetResult();
            }, cancellationToken);
        }
    }

    public void Dispose()
    {
        _registry.Clear();
        _model.Closed.GetAwaiter().GetResult();
        _metrics.Dispose();
    }

    private static CeilingResult Measure(BenchCase benchCase, string path, int pairsPerCall, TimeSpan warmup, TimeSpan duration,
        long maxCalls, Action call, CancellationToken cancellationToken)
    {
        Loop(call, warmup, maxCalls, null, cancellationToken);
        var latencies = new List<double>(capacity: 65_536);
        var elapsed = Loop(call, duration, maxCalls, latencies, cancellationToken);
        return new CeilingResult
        {
            Operation = benchCase.Operation,
            Model = benchCase.Model,
            Size = benchCase.Size,
            Path = path,
            Calls = latencies.Count,
            Seconds = elapsed.TotalSeconds,
            CallsPerSecond = BenchRates.PerSecond(latencies.Count, elapsed.TotalSeconds),
            PredictionsPerSecond = BenchRates.PerSecond((double)latencies.Count * pairsPerCall, elapsed.TotalSeconds),
            Latency = LatencySummary.FromMicroseconds(latencies),
        };
    }

    private static TimeSpan Loop(Action call, TimeSpan duration, long maxCalls, List<double>? latencies, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        for (long calls = 0; calls < maxCalls && clock.Elapsed < duration; calls++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            call();
            latencies?.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        return clock.Elapsed;
    }
}
