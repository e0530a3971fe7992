using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Recommender.Contracts.V1;
using InferenceClient = Recommender.Contracts.V1.InferenceService.InferenceServiceClient;
using Recommender.Reporting;

namespace Recommender.Cli.Commands.Bench;

/// <summary>
/// Drives one case against a running server: N concurrent workers spread over the channels, each
/// issuing calls back to back. A warm-up phase runs first and is discarded (tiered JIT, connection
/// windows, server pools); then the case runs until its time or its call budget is spent.
/// </summary>
internal sealed class BenchDriver(IReadOnlyList<GrpcChannel> channels, BenchIds ids, string modelName, int catalogItems)
{
    public async Task<BenchCaseResult> RunAsync(BenchCase benchCase, int channelCount, TimeSpan warmup, TimeSpan duration,
        long maxRequests, CancellationToken cancellationToken)
    {
        await WarmAsync(benchCase, channelCount, warmup, maxRequests, cancellationToken).ConfigureAwait(false);
        var load = BenchLoad.OneMinute();
        var sample = await MeasureAsync(benchCase, channelCount, duration, maxRequests, cancellationToken).ConfigureAwait(false);
        return Summarize(benchCase, [sample], Math.Max(load, BenchLoad.OneMinute()));
    }

    /// <summary>Runs the case and discards what it measured (tiered JIT, connection windows, server pools).</summary>
    public async Task WarmAsync(BenchCase benchCase, int channelCount, TimeSpan warmup, long maxRequests, CancellationToken cancellationToken)
    {
        if (warmup > TimeSpan.Zero)
        {
            await MeasureAsync(benchCase, channelCount, warmup, maxRequests, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One measured window: the raw latencies and failures, so that windows can be pooled.</summary>
    public async Task<BenchSample> MeasureAsync(BenchCase benchCase, int channelCount, TimeSpan duration, long maxRequests,
        CancellationToken cancellationToken)
    {
        var clients = channels.Take(Math.Clamp(channelCount, 1, channels.Count))
            .Select(c => new InferenceClient(c)).ToArray();
        var requests = Enumerable.Range(0, benchCase.Concurrency)
            .Select(w => new BenchRequests(benchCase, ids, modelName, seed: 1000 + w)).ToArray();
        var (tallies, elapsed) = await RunPhaseAsync(benchCase, clients, requests, duration, maxRequests, cancellationToken).ConfigureAwait(false);
        var errors = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (code, count) in tallies.SelectMany(t => t.Errors))
        {
            errors[code.ToString()] = errors.GetValueOrDefault(code.ToString()) + count;
        }

        return new BenchSample([.. tallies.SelectMany(t => t.Latencies)], errors, elapsed.TotalSeconds, clients.Length);
    }

    /// <summary>Pools windows of one case into its result: calls and seconds add up, percentiles are over every latency.</summary>
    public BenchCaseResult Summarize(BenchCase benchCase, IReadOnlyList<BenchSample> samples, double loadAverage)
    {
        var latencies = samples.SelectMany(s => s.Latencies).ToArray();
        var errors = samples.SelectMany(s => s.Errors)
            .GroupBy(e => e.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(e => e.Value), StringComparer.Ordinal);
        var seconds = samples.Sum(s => s.Seconds);
        var ok = latencies.Length;
        var pairsPerCall = benchCase.Operation == BenchCase.Predict ? benchCase.Size : catalogItems;
        return new BenchCaseResult
        {
            Operation = benchCase.Operation,
            Model = benchCase.Model,
            Size = benchCase.Size,
            Concurrency = benchCase.Concurrency,
            Channels = samples.Count == 0 ? 0 : samples[0].Channels,
            Label = benchCase.Label,
            Requests = ok + errors.Values.Sum(),
            Seconds = seconds,
            Qps = BenchRates.PerSecond(ok, seconds),
            PredictionsPerSecond = BenchRates.PerSecond((double)ok * pairsPerCall, seconds),
            Latency = LatencySummary.FromMicroseconds(latencies),
            Errors = errors,
            LoadAverage = loadAverage,
        };
    }

    private static async Task<(WorkerTally[] Tallies, TimeSpan Elapsed)> RunPhaseAsync(BenchCase benchCase,
        InferenceClient[] clients, BenchRequests[] requests, TimeSpan duration, long maxRequests,
        CancellationToken cancellationToken)
    {
        var budget = new CallBudget(maxRequests);
        var clock = Stopwatch.StartNew();
        var workers = new Task<WorkerTally>[benchCase.Concurrency];
        for (var w = 0; w < workers.Length; w++)
        {
            var client = clients[w % clients.Length];
            var ring = requests[w];
            // Task.Run: each worker starts on the thread pool, not inline on this thread.
            workers[w] = Task.Run(() => WorkAsync(benchCase.Operation, client, ring, clock, duration, budget, cancellationToken), cancellationToken);
        }

        var tallies = await Task.WhenAll(workers).ConfigureAwait(false);
        return (tallies, clock.Elapsed);
    }

    private static async Task<WorkerTally> WorkAsync(string operation, InferenceClient client,
        BenchRequests requests, Stopwatch clock, TimeSpan duration, CallBudget budget, CancellationToken cancellationToken)
    {
        var tally = new WorkerTally();
        // Every worker makes its first call whatever the clock says: on a loaded machine the thread pool
        // can start a worker after a short case's time has run out, and an empty case measures nothing.
        var first = true;
        while ((first || clock.Elapsed < duration) && budget.TryTake())
        {
            first = false;
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            try
            {
                if (operation == BenchCase.Predict)
                {
                    using var call = client.PredictRatingsAsync(requests.NextPredict(), cancellationToken: cancellationToken);
                    await call.ResponseAsync.ConfigureAwait(false);
                }
                else if (operation == BenchCase.Similar)
                {
                    using var call = client.SimilarItemsAsync(requests.NextSimilar(), cancellationToken: cancellationToken);
                    await call.ResponseAsync.ConfigureAwait(false);
                }
                else
                {
                    using var call = client.RecommendAsync(requests.NextRecommend(), cancellationToken: cancellationToken);
                    await call.ResponseAsync.ConfigureAwait(false);
                }

                tally.Latencies.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            }
            catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
            {
                tally.Errors[ex.StatusCode] = tally.Errors.GetValueOrDefault(ex.StatusCode) + 1;
            }
        }

        return tally;
    }

    /// <summary>What one worker saw: latencies of successful calls (µs) and failures by status.</summary>
    private sealed class WorkerTally
    {
        public List<double> Latencies { get; } = new(capacity: 16_384);

        public Dictionary<StatusCode, long> Errors { get; } = [];
    }

    /// <summary>The case's call budget, shared by its workers.</summary>
    private sealed class CallBudget(long max)
    {
        private long _taken;

        public bool TryTake() => Interlocked.Increment(ref _taken) <= max;
    }
}
