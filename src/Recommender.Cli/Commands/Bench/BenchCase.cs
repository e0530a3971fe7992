namespace Recommender.Cli.Commands.Bench;

/// <summary>One benchmark case: an operation on a model kind at a request size and a concurrency.</summary>
internal sealed record BenchCase(string Operation, string Model, int Size, int Concurrency, string Label = "")
{
    public const string Predict = "predict";
    public const string Recommend = "recommend";
    public const string Similar = "similar";
    public const string History = "history";
    public const string Mf = "mf";
    public const string Neural = "neural";
    public const string Implicit = "implicit";

    /// <summary>How many history items a `history` case sends (issue 12's target: 20).</summary>
    public const int HistoryLength = 20;

    public string Name => Operation == Predict ? $"predict {Model} b{Size}" : $"{Operation} {Model} top{Size}";
}
