namespace Recommender.Reporting;

/// <summary>
/// Everything one `recommender bench` run measured; written as JSON by the bench and read by the
/// report. Rates are per second of measured wall time (warm-up excluded).
/// </summary>
public sealed record BenchRun
{
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The gRPC address driven (a child server's when the bench started its own).</summary>
    public required string Address { get; init; }

    public required MachineInfo Machine { get; init; }

    public required ServedModelInfo Model { get; init; }

    public required BenchSettings Settings { get; init; }

    public IReadOnlyList<BenchCaseResult> Cases { get; init; } = [];

    /// <summary>The same work done in process with no gRPC, on one thread.</summary>
    public IReadOnlyList<CeilingResult> Ceiling { get; init; } = [];

    /// <summary>Single-pair neural PredictRatings with dynamic batching on and off (empty unless asked for).</summary>
    public IReadOnlyList<BenchCaseResult> Batching { get; init; } = [];
}

/// <summary>
/// The machine the bench ran on. Client and server share its cores, so the load average matters:
/// other work on the machine shows up as lower rates and longer tails.
/// </summary>
public sealed record MachineInfo(int ProcessorCount, string Os, double LoadAverageAtStart, double LoadAverageAtEnd);

/// <summary>The served version the bench drove (from GetModelInfo).</summary>
public sealed record ServedModelInfo(string Name, long Version, int Users, int Items, string ExecutionProvider);

public sealed record BenchSettings(double DurationSeconds, double WarmupSeconds, long MaxRequests, string IdSource);

/// <summary>One case: an RPC at a request size and a concurrency, run for a bounded count and time.</summary>
public sealed record BenchCaseResult
{
    /// <summary>"predict" (PredictRatings), "recommend" (Recommend top-N), "similar" (SimilarItems top-N) or "history" (Recommend from a history).</summary>
    public required string Operation { get; init; }

    /// <summary>"mf" or "neural".</summary>
    public required string Model { get; init; }

    /// <summary>Pairs per PredictRatings call, or N of Recommend top-N.</summary>
    public required int Size { get; init; }

    public required int Concurrency { get; init; }

    public required int Channels { get; init; }

    /// <summary>Free text distinguishing otherwise equal cases ("batching on"/"batching off").</summary>
    public string Label { get; init; } = "";

    /// <summary>Calls completed in the measured window, failed ones included.</summary>
    public required long Requests { get; init; }

    public required double Seconds { get; init; }

    /// <summary>Successful calls per second.</summary>
    public required double Qps { get; init; }

    /// <summary>Pairs scored per second: pairs per call for predict, the whole catalog for recommend.</summary>
    public required double PredictionsPerSecond { get; init; }

    /// <summary>Latency of successful calls.</summary>
    public required LatencySummary Latency { get; init; }

    /// <summary>Failed calls by gRPC status code name.</summary>
    public IReadOnlyDictionary<string, long> Errors { get; init; } = new Dictionary<string, long>();

    /// <summary>1-minute load average when the case ended.</summary>
    public double LoadAverage { get; init; }

    public string Name => Operation == "predict" ? $"predict {Model} b{Size}" : $"{Operation} {Model} top{Size}";
}

/// <summary>One in-process measurement: the serving code on one thread, no gRPC.</summary>
public sealed record CeilingResult
{
    public required string Operation { get; init; }

    public required string Model { get; init; }

    public required int Size { get; init; }

    /// <summary>"scorer": the bare scorer over dense indices (ONNX Runtime for neural, SIMD for MF);
    /// "engine": the serving engine (id mapping, clipping, ranking), as an RPC handler calls it.</summary>
    public required string Path { get; init; }

    public required long Calls { get; init; }

    public required double Seconds { get; init; }

    public required double CallsPerSecond { get; init; }

    public required double PredictionsPerSecond { get; init; }

    public required LatencySummary Latency { get; init; }
}
