namespace Recommender.Cli.Commands.Bench;

/// <summary>What `recommender bench` was asked to do.</summary>
internal sealed record BenchOptions(
    string? Address,
    string? RepositoryPath,
    string? ModelName,
    IReadOnlyList<string> Models,
    TimeSpan Duration,
    TimeSpan Warmup,
    long MaxRequests,
    int Channels,
    bool CompareBatching,
    bool Ceiling,
    string? JsonPath)
{
    /// <summary>"predict", "recommend" or both (all cases).</summary>
    public IReadOnlyList<string> Operations { get; init; } = [BenchCase.Predict, BenchCase.Recommend];

    /// <summary>Only the served cases at these concurrencies (null: every case of the plan).</summary>
    public IReadOnlyList<int>? Concurrencies { get; init; }

    /// <summary>How child servers are started: `recommender` itself unless a test says otherwise.</summary>
    public IReadOnlyList<string>? ServerCommand { get; init; }
}
