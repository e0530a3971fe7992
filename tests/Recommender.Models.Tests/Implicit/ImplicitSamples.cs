using Recommender.Models.Implicit;

namespace Recommender.Models.Tests.Implicit;

internal static class ImplicitSamples
{
    public static ImplicitModel Model(int users, int items, int factors, float? threshold = null, ImplicitConfidence confidence = ImplicitConfidence.Linear, int seed = 1) =>
        new(
            users,
            items,
            factors,
            DenseLeastSquares.RandomMatrix(users, factors, seed),
            DenseLeastSquares.RandomMatrix(items, factors, seed + 1),
            [.. Enumerable.Range(0, items).Select(i => (i * 7) % 13)],
            new ImplicitSolveParameters
            {
                Regularization = 0.75f,
                Alpha = 2.5f,
                UnobservedWeight = 0.3f,
                RegularizationExponent = 0.5f,
                Confidence = confidence,
                RatingThreshold = threshold,
            },
            defaultRating: 3.75f);
}
