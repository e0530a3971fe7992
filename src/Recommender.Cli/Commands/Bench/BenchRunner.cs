using System.Runtime.InteropServices;
using Grpc.Core;
using Grpc.Net.Client;
using Recommender.Contracts.V1;
using InferenceClient = Recommender.Contracts.V1.InferenceService.InferenceServiceClient;
using Recommender.Reporting;

namespace Recommender.Cli.Commands.Bench;

/// <summary>
/// A whole bench run: the served cases against a running service (or one the bench starts), the
/// in-process ceiling, and optionally dynamic batching on vs off on two child servers.
/// </summary>
internal static class BenchRunner
{
    private const int MaxChannels = 4;

    /// <summary>How many alternating slices the batching comparison splits each case's time into.</summary>
    private const int BatchingSlices = 5;

    public static async Task<BenchRun> RunAsync(BenchOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var startedAt = DateTimeOffset.UtcNow;
        var loadAtStart = BenchLoad.OneMinute();
        BenchServerProcess? ownServer = null;
        var address = options.Address;
        if (address is null)
        {
            ownServer = await BenchServerProcess.StartAsync(ServerCommand(options), RequireRepository(options, "without --address"), [], cancellationToken).ConfigureAwait(false);
            address = ownServer.Address;
            output.WriteLine($"started an inference server at {address} (no --address given)");
        }

        LoadedModel served;
        BenchIds ids;
        IReadOnlyList<string> models;
        var cases = new List<BenchCaseResult>();
        try
        {
            var channels = OpenChannels(address, MaxChannels);
            try
            {
                served = await DescribeAsync(channels[0], options.ModelName, cancellationToken).ConfigureAwait(false);
                ids = options.RepositoryPath is null
                    ? BenchIds.FromRange(served.UserCount, served.ItemCount)
                    : BenchIds.FromRepository(options.RepositoryPath, served.Version.Name, served.Version.Version);
                models = [.. options.Models.Where(m => served.Version.Kinds.Contains(BenchKinds.Wire(m)))];
                foreach (var missing in options.Models.Except(models))
                {
                    output.WriteLine($"skipping {missing}: version {served.Version.Version} has no {missing} model");
                }

                output.WriteLine($"bench {address}: {served.Version.Name} v{served.Version.Version}, {served.UserCount:N0} users x {served.ItemCount:N0} items, "
                    + $"{served.ExecutionProvider}; {Environment.ProcessorCount} cores shared by client and server, load {loadAtStart:F2}");
                output.WriteLine($"each case: {options.Warmup.TotalSeconds:F1} s warm-up, then {options.Duration.TotalSeconds:F1} s or {options.MaxRequests:N0} calls; ids from {ids.Source}");
                output.WriteLine();
                output.WriteLine(BenchTable.CaseHeader);
                var driver = new BenchDriver(channels, ids, served.Version.Name, served.ItemCount);
                foreach (var benchCase in BenchPlan.Served(models).Where(c => options.Operations.Contains(c.Operation) && (options.Concurrencies is null || options.Concurrencies.Contains(c.Concurrency))))
                {
                    var result = await driver.RunAsync(benchCase, ChannelsFor(options, benchCase.Concurrency), options.Warmup, options.Duration,
                        options.MaxRequests, cancellationToken).ConfigureAwait(false);
                    cases.Add(result);
                    output.WriteLine(BenchTable.Case(result));
                }
            }
            finally
            {
                foreach (var channel in channels)
                {
                    channel.Dispose();
                }
            }
        }
        finally
        {
            if (ownServer is not null)
            {
                await ownServer.DisposeAsync().ConfigureAwait(false);
            }
        }

        var ceiling = RunCeiling(options, served, ids, models, output, cancellationToken);
        var batching = options.CompareBatching
            ? await CompareBatchingAsync(options, served, ids, output, cancellationToken).ConfigureAwait(false)
            : [];

        var run = new BenchRun
        {
            StartedAt = startedAt,
            Address = address,
            Machine = new MachineInfo(Environment.ProcessorCount, RuntimeInformation.OSDescription, loadAtStart, BenchLoad.OneMinute()),
            Model = new ServedModelInfo(served.Version.Name, served.Version.Version, served.UserCount, served.ItemCount, served.ExecutionProvider),
            Settings = new BenchSettings(options.Duration.TotalSeconds, options.Warmup.TotalSeconds, options.MaxRequests, ids.Source),
            Cases = cases,
            Ceiling = ceiling,
            Batching = batching,
        };
        BenchTable.PrintTargets(output, run);
        return run;
    }

    private static List<CeilingResult> RunCeiling(BenchOptions options, LoadedModel served, BenchIds ids, IReadOnlyList<string> models,
        TextWriter output, CancellationToken cancellationToken)
    {
        var results = new List<CeilingResult>();
        if (!options.Ceiling || options.RepositoryPath is null)
        {
            output.WriteLine();
            output.WriteLine("in-process ceiling skipped (needs --repo)");
            return results;
        }

        // One thread, short windows: a single-threaded loop settles within a second once JIT-compiled.
        var warmup = TimeSpan.FromTicks(Math.Min(options.Warmup.Ticks, TimeSpan.FromSeconds(1).Ticks));
        var duration = TimeSpan.FromTicks(Math.Min(options.Duration.Ticks, TimeSpan.FromSeconds(3).Ticks));
        output.WriteLine();
        output.WriteLine(BenchTable.CeilingHeader);
        using var ceiling = new BenchCeiling(options.RepositoryPath, served.Version.Name, served.Version.Version, ids);
        foreach (var benchCase in BenchPlan.Ceiling(models).Where(c => options.Operations.Contains(c.Operation)))
        {
            foreach (var result in ceiling.Run(benchCase, warmup, duration, options.MaxRequests, cancellationToken))
            {
                results.Add(result);
                output.WriteLine(BenchTable.Ceiling(result));
            }
        }

        return results;
    }

    /// <summary>
    /// Single-pair neural PredictRatings on two child servers, batching on and off, both up for the
    /// whole comparison and driven in alternating slices at each concurrency, so that load from
    /// elsewhere on the machine falls on both alike.
    /// </summary>
    private static async Task<List<BenchCaseResult>> CompareBatchingAsync(BenchOptions options, LoadedModel served, BenchIds ids,
        TextWriter output, CancellationToken cancellationToken)
    {
        var repository = RequireRepository(options, "with --compare-batching");
        var results = new List<BenchCaseResult>();
        output.WriteLine();
        output.WriteLine("dynamic batching, neural, one pair per call (two child servers):");
        output.WriteLine(BenchTable.CaseHeader);
        var on = await BenchServerProcess.StartAsync(ServerCommand(options), repository, ["--Inference:Batching:Enabled=true"], cancellationToken).ConfigureAwait(false);
        await using (on.ConfigureAwait(false))
        {
            var off = await BenchServerProcess.StartAsync(ServerCommand(options), repository, ["--Inference:Batching:Enabled=false"], cancellationToken).ConfigureAwait(false);
            await using (off.ConfigureAwait(false))
            {
                var servers = new[] { (BatchingLabels.On, on.Address), (BatchingLabels.Off, off.Address) };
                var channels = servers.ToDictionary(s => s.Item1, s => OpenChannels(s.Item2, MaxChannels), StringComparer.Ordinal);
                try
                {
                    foreach (var concurrency in BenchPlan.Concurrencies)
                    {
                        var channelCount = ChannelsFor(options, concurrency);
                        var plan = servers.Select(s => (
                            Case: new BenchCase(BenchCase.Predict, BenchCase.Neural, 1, concurrency, s.Item1),
                            Driver: new BenchDriver(channels[s.Item1], ids, served.Version.Name, served.ItemCount),
                            Samples: new List<BenchSample>())).ToArray();
                        foreach (var (benchCase, driver, _) in plan)
                        {
                            await driver.WarmAsync(benchCase, channelCount, options.Warmup, options.MaxRequests, cancellationToken).ConfigureAwait(false);
                        }

                        // Interleaved slices (on, off, on, off, ...) pooled per server: a burst of
                        // load from elsewhere lands on both alike instead of on one whole case.
                        var load = BenchLoad.OneMinute();
                        var slice = options.Duration / BatchingSlices;
                        for (var round = 0; round < BatchingSlices; round++)
                        {
                            foreach (var (benchCase, driver, samples) in plan)
                            {
                                samples.Add(await driver.MeasureAsync(benchCase, channelCount, slice,
                                    Math.Max(1, options.MaxRequests / BatchingSlices), cancellationToken).ConfigureAwait(false));
                            }
                        }

                        load = Math.Max(load, BenchLoad.OneMinute());
                        foreach (var (benchCase, driver, samples) in plan)
                        {
                            var result = driver.Summarize(benchCase, samples, load);
                            results.Add(result);
                            output.WriteLine(BenchTable.Case(result));
                        }
                    }
                }
                finally
                {
                    foreach (var channel in channels.Values.SelectMany(c => c))
                    {
                        channel.Dispose();
                    }
                }
            }
        }

        return results;
    }

    /// <summary>
    /// The served model, from GetModelInfo. A server that has just said READY may still be loading
    /// its first version (or may not be listening yet): poll for up to a minute before giving up.
    /// </summary>
    private static async Task<LoadedModel> DescribeAsync(GrpcChannel channel, string? modelName, CancellationToken cancellationToken)
    {
        var client = new InferenceClient(channel);
        var giveUpAt = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            string problem;
            try
            {
                using var call = client.GetModelInfoAsync(new GetModelInfoRequest { Name = modelName ?? "" },
                    deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
                var info = await call.ResponseAsync.ConfigureAwait(false);
                if (info.Models.Count > 1)
                {
                    throw new InvalidOperationException(
                        $"The service serves several models ({string.Join(", ", info.Models.Select(m => m.Version.Name))}); name one with --model-name.");
                }

                if (info.Models.Count == 1)
                {
                    return info.Models[0];
                }

                problem = "it serves no model yet";
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.FailedPrecondition or StatusCode.NotFound)
            {
                problem = $"{ex.Status.StatusCode}: {ex.Status.Detail}";
            }

            if (DateTime.UtcNow > giveUpAt)
            {
                throw new InvalidOperationException($"GetModelInfo at {channel.Target} failed for a minute; last: {problem}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    private static GrpcChannel[] OpenChannels(string address, int count) =>
    [
        .. Enumerable.Range(0, count).Select(_ => GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            },
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            MaxSendMessageSize = 64 * 1024 * 1024,
        })),
    ];

    private static IReadOnlyList<string> ServerCommand(BenchOptions options) => options.ServerCommand ?? BenchServerProcess.SelfCommand();

    private static int ChannelsFor(BenchOptions options, int concurrency) =>
        options.Channels > 0 ? Math.Min(options.Channels, MaxChannels) : BenchPlan.AutoChannels(concurrency);

    private static string RequireRepository(BenchOptions options, string when) =>
        options.RepositoryPath ?? throw new ArgumentException($"--repo is required {when} (the bench starts its own server on it).");
}
