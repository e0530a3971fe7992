using Recommender.Training.Blend;
using Recommender.Training.Implicit;
using Recommender.Training.Mf;
using Recommender.Training.Neural;

namespace Recommender.Training.Pipeline;

/// <summary>
/// The model kinds a run can train, in training order. Adding a kind: its files under
/// &lt;Kind&gt;/ and one line here.
/// </summary>
public static class TrainingKinds
{
    public static IReadOnlyList<ITrainingKind> All { get; } =
    [
        new MfTrainingKind(),
        new NeuralTrainingKind(),
        new ImplicitTrainingKind(),

        // Last: it blends the models trained before it.
        new BlendTrainingKind(),
    ];
}
