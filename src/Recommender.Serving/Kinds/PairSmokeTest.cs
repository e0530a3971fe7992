using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// Scores the first and last user against the first and last item: catches models whose tables
/// are smaller than the id maps, and weights that are NaN, before a version may serve.
/// </summary>
internal static class PairSmokeTest
{
    public static void Run(IPairScorer scorer, ModelVersionBundle bundle, string path)
    {
        long lastUser = bundle.Users.Count - 1;
        long lastItem = bundle.Items.Count - 1;
        long[] users = [0, lastUser, 0, lastUser];
        long[] items = [0, 0, lastItem, lastItem];
        var scores = new float[4];
        scorer.Score(users, items, scores);
        if (!scores.All(float.IsFinite))
        {
            throw new InvalidDataException($"{path}: the smoke inference produced non-finite scores ({string.Join(", ", scores)}).");
        }
    }
}
