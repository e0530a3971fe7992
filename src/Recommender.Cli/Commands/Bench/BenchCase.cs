namespace Recommender.Cli.Commands.Bench;

/// <summary>One benchmark case: an operation on a model kind at a request size and a concurrency.</summary>
internal sealed record BenchCase(string Operation, string Model, int Size, int Concurrency, string Label = "")
{
    public const string Predict = "predict";
    public const string Recommend = "recommend";
    public const string Mf = "mf";
    public const string Neural = "neural";

    public string Name => Operation == Predict ? $"predict {Model} b{Size}" : $"recommend {Model} top{Size}";
}
