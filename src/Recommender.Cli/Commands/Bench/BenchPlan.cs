namespace Recommender.Cli.Commands.Bench;

/// <summary>Which cases a bench run drives (issue 4's list).</summary>
internal static class BenchPlan
{
    public const int TopN = 10;

    /// <summary>Single-pair concurrency levels, also those of Recommend and of the batching comparison.</summary>
    public static readonly int[] Concurrencies = [1, 8, 64];

    /// <summary>
    /// PredictRatings at batch 1 (concurrency 1, 8, 64), 64 and 1024 (concurrency 8), and
    /// Recommend top-10 at concurrency 1, 8, 64, for each model kind; SimilarItems top-10 (kinds
    /// with item factors) and Recommend from a 20-item history (the implicit kind folds it in) at
    /// concurrency 1 and 8 (issue 12's targets). The implicit kind ranks and does not predict.
    /// </summary>
    public static IReadOnlyList<BenchCase> Served(IEnumerable<string> models) =>
    [
        .. models.SelectMany(model => (IEnumerable<BenchCase>)
        [
            .. model == BenchCase.Implicit ? [] : Concurrencies.Select(c => new BenchCase(BenchCase.Predict, model, 1, c)),
            .. model == BenchCase.Implicit ? [] : new[] { new BenchCase(BenchCase.Predict, model, 64, 8), new BenchCase(BenchCase.Predict, model, 1024, 8) },
            .. Concurrencies.Select(c => new BenchCase(BenchCase.Recommend, model, TopN, c)),
            .. model == BenchCase.Neural ? [] : SmallConcurrencies.Select(c => new BenchCase(BenchCase.Similar, model, TopN, c)),
            .. model == BenchCase.Implicit ? SmallConcurrencies.Select(c => new BenchCase(BenchCase.History, model, TopN, c)) : [],
        ]),
    ];

    /// <summary>Concurrency levels of the SimilarItems and history cases (the targets are at 8).</summary>
    public static readonly int[] SmallConcurrencies = [1, 8];

    /// <summary>The in-process work: the same request sizes on one thread.</summary>
    public static IReadOnlyList<BenchCase> Ceiling(IEnumerable<string> models) =>
    [
        .. models.SelectMany(model => (IEnumerable<BenchCase>)
        [
            .. model == BenchCase.Implicit ? [] : new[]
            {
                new BenchCase(BenchCase.Predict, model, 1, 1),
                new BenchCase(BenchCase.Predict, model, 64, 1),
                new BenchCase(BenchCase.Predict, model, 1024, 1),
            },
            new BenchCase(BenchCase.Recommend, model, TopN, 1),
        ]),
    ];

    /// <summary>Client channels for a concurrency: four at high concurrency (+15–20% at c=64 measured here), else one.</summary>
    public static int AutoChannels(int concurrency) => concurrency >= 32 ? 4 : 1;
}
