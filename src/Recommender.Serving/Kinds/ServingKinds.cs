namespace Recommender.Serving;

/// <summary>
/// The model kinds the inference service can serve. Adding a kind: its files under Kinds/&lt;Kind&gt;/
/// and one line here.
/// </summary>
public static class ServingKinds
{
    public static IReadOnlyList<IServingKind> All { get; } =
    [
        new MfServingKind(),
        new NeuralServingKind(),
        new ImplicitServingKind(),
        new BlendServingKind(),
    ];
}
