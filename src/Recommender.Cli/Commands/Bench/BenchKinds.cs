using Recommender.Contracts.V1;
using Recommender.Serving;

namespace Recommender.Cli.Commands.Bench;

/// <summary>The bench's model-kind names and what each maps to on the wire and in process.</summary>
internal static class BenchKinds
{
    public static ModelKind Wire(string model) => model switch
    {
        BenchCase.Mf => ModelKind.Mf,
        BenchCase.Neural => ModelKind.Neural,
        BenchCase.Implicit => ModelKind.Implicit,
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "Unknown bench model kind."),
    };

    public static ServedKind Served(string model) => model switch
    {
        BenchCase.Mf => ServedKind.Mf,
        BenchCase.Neural => ServedKind.Neural,
        BenchCase.Implicit => ServedKind.Implicit,
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "Unknown bench model kind."),
    };
}
