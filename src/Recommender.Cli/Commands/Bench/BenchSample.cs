namespace Recommender.Cli.Commands.Bench;

/// <summary>One measured window of a case: latencies of successful calls (µs), failures by status name, wall seconds.</summary>
internal sealed record BenchSample(double[] Latencies, IReadOnlyDictionary<string, long> Errors, double Seconds, int Channels);
