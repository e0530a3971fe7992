// Usage: dotnet run -c Release --project bench/Recommender.Benchmarks -- <benchmark> [args]
// Each benchmark lives in its own file and registers one line here.
var benchmarks = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["block-topn"] = Recommender.Benchmarks.BlockTopNBenchmark.Run,
    ["mf-scoring"] = Recommender.Benchmarks.MfScoringBenchmark.Run,
    ["mf-train"] = Recommender.Benchmarks.MfTrainingBenchmark.Run,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"benchmarks: {string.Join(", ", benchmarks.Keys)}");
    return 2;
}

return run(args[1..]);
