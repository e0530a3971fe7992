namespace Recommender.Models.Implicit;

/// <summary>
/// Scores items for a user vector (a trained user's row or a folded-in history): one dot product
/// per item, with the row loop inlined. Thread-safe; allocates nothing.
/// </summary>
public static class ImplicitScoring
{
    /// <summary>scores[i] = user · q_i for every item of the catalog.</summary>
    public static void ScoreCatalog(ImplicitModel model, ReadOnlySpan<float> user, Span<float> scores)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckUser(model, user);
        if (scores.Length < model.ItemCount)
        {
            throw new ArgumentException($"Scores hold {scores.Length} values; the catalog has {model.ItemCount} items.", nameof(scores));
        }

        ScoreCatalog(model.ItemFactors, user, scores[..model.ItemCount]);
    }

    /// <summary>
    /// scores[i] = user · row i of <paramref name="itemFactors"/> (row-major, user.Length columns)
    /// for i below scores.Length: the same loop over raw factors, for callers without a model object.
    /// </summary>
    public static void ScoreCatalog(ReadOnlySpan<float> itemFactors, ReadOnlySpan<float> user, Span<float> scores)
    {
        var k = user.Length;
        if (k == 0 || (long)scores.Length * k > itemFactors.Length)
        {
            throw new ArgumentException($"{scores.Length} items of {k} factors do not fit in {itemFactors.Length} values.", nameof(itemFactors));
        }

        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = VectorOps.Dot(itemFactors.Slice(i * k, k), user);
        }
    }

    /// <summary>scores[n] = user · q_items[n] for a candidate list.</summary>
    public static void ScoreItems(ImplicitModel model, ReadOnlySpan<float> user, ReadOnlySpan<int> items, Span<float> scores)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckUser(model, user);
        if (scores.Length < items.Length)
        {
            throw new ArgumentException($"Scores hold {scores.Length} values; {items.Length} items were given.", nameof(scores));
        }

        for (var n = 0; n < items.Length; n++)
        {
            if ((uint)items[n] >= (uint)model.ItemCount)
            {
                throw new ArgumentOutOfRangeException(nameof(items), items[n], $"Item index {items[n]} (position {n}) is outside the catalog of {model.ItemCount}.");
            }

            scores[n] = VectorOps.Dot(model.ItemRow(items[n]), user);
        }
    }

    private static void CheckUser(ImplicitModel model, ReadOnlySpan<float> user)
    {
        if (user.Length != model.Factors)
        {
            throw new ArgumentException($"The user vector has {user.Length} values; the model has {model.Factors} factors.", nameof(user));
        }
    }
}
