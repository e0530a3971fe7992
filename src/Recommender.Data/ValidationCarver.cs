namespace Recommender.Data;

/// <summary>The training split divided for honest model selection: the ratings models fit, and the validation ratings that choose epochs and hyper-parameters.</summary>
public sealed record ValidationCarve(IndexedRatings Fit, IndexedRatings Validation);

/// <summary>
/// Carves a seeded validation part out of the training ratings, so that epochs, early stopping
/// and blend weights are chosen without looking at the test split. Ratings are drawn uniformly
/// at random (as the u1..u5 test folds are), except that a rating stays in the fit part when
/// taking it would leave its user or its item without any fit rating: every user and item of the
/// training split keeps parameters learned from data. Both parts keep the input's order, so the
/// carve is a pure function of (ratings, fraction, seed).
/// </summary>
public static class ValidationCarver
{
    private const ulong ValidationStream = 12;

    /// <summary>The largest fraction accepted: beyond it the fit part would be a minority.</summary>
    public const double MaxFraction = 0.5;

    public static ValidationCarve Carve(IndexedRatings train, double fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (!(fraction > 0 && fraction <= MaxFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"The validation fraction must be in (0, {MaxFraction}].");
        }

        var order = new int[train.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var rng = StableRandom.ForStream(seed, ValidationStream, 0);
        rng.Shuffle(order.AsSpan());

        var userLeft = new int[train.UserCount];
        var itemLeft = new int[train.ItemCount];
        for (var r = 0; r < train.Count; r++)
        {
            userLeft[train.Users[r]]++;
            itemLeft[train.Items[r]]++;
        }

        var wanted = (int)Math.Round(fraction * train.Count, MidpointRounding.AwayFromZero);
        var isValidation = new bool[train.Count];
        var taken = 0;
        foreach (var row in order)
        {
            if (taken == wanted)
            {
                break;
            }

            int user = train.Users[row], item = train.Items[row];
            if (userLeft[user] > 1 && itemLeft[item] > 1)
            {
                userLeft[user]--;
                itemLeft[item]--;
                isValidation[row] = true;
                taken++;
            }
        }

        if (taken == 0)
        {
            throw new ArgumentException(
                $"No validation ratings could be carved from {train.Count} training ratings: every rating is the last of its user or item.", nameof(train));
        }

        return new ValidationCarve(Select(train, isValidation, false, train.Count - taken), Select(train, isValidation, true, taken));
    }

    private static IndexedRatings Select(IndexedRatings ratings, bool[] isValidation, bool want, int count)
    {
        var users = new int[count];
        var items = new int[count];
        var values = new float[count];
        var n = 0;
        for (var r = 0; r < ratings.Count; r++)
        {
            if (isValidation[r] == want)
            {
                users[n] = ratings.Users[r];
                items[n] = ratings.Items[r];
                values[n] = ratings.Values[r];
                n++;
            }
        }

        return new IndexedRatings(users, items, values, ratings.UserCount, ratings.ItemCount);
    }
}
