using Recommender.Data;

namespace Recommender.Training.Mf;

/// <summary>
/// Verifies once, before training, that every user and item index fits the factor matrices: the
/// SGD kernel uses raw pointers and must never be handed an index out of range.
/// </summary>
internal static class RatingIndexCheck
{
    public static void Ensure(IndexedRatings ratings, int userCount, int itemCount, string parameterName)
    {
        var users = ratings.Users;
        var items = ratings.Items;
        for (var n = 0; n < users.Length; n++)
        {
            if ((uint)users[n] >= (uint)userCount || (uint)items[n] >= (uint)itemCount)
            {
                throw new ArgumentException(
                    $"Rating {n} has user {users[n]} and item {items[n]}; indices must be below {userCount} users and {itemCount} items.",
                    parameterName);
            }
        }

        foreach (var value in ratings.Values)
        {
            if (!float.IsFinite(value))
            {
                throw new ArgumentException("Ratings must be finite numbers.", parameterName);
            }
        }
    }
}
