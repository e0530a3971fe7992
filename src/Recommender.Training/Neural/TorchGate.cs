namespace Recommender.Training.Neural;

/// <summary>
/// libtorch's random generator and thread count are process-wide. Everything here that seeds or
/// draws from them (training, creating a model) holds this reentrant lock, so a seeded training is
/// never disturbed by another model being created or trained beside it.
/// </summary>
internal static class TorchGate
{
    private static readonly Lock Gate = new();

    public static Lock.Scope Enter() => Gate.EnterScope();
}
