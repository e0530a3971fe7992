using System.Buffers;

namespace Recommender.Models.Implicit;

/// <summary>
/// Turns a history (dense item indices, optionally with ratings) into a user vector against the
/// model's fixed item factors: the same weighted least-squares row solve as training's user
/// half-step (one k×k Cholesky), so a new user gets the vector training would have given them,
/// in microseconds and without retraining. The item Gramian VᵀV is computed once here; after
/// that the instance is immutable and <see cref="FoldIn"/> is safe to call from many threads.
/// </summary>
public sealed class ImplicitFoldIn
{
    /// <summary>Scratch up to this many floats (80 KB) lives on the stack; larger factor counts rent.</summary>
    private const int StackScratchLimit = 20_000;

    /// <summary>Histories up to this long keep their working lists on the stack.</summary>
    private const int StackHistoryLimit = 256;

    private readonly float[] gramian;

    public ImplicitFoldIn(ImplicitModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        gramian = ImplicitGramian.Compute(model.ItemFactors, model.ItemCount, model.Factors);
    }

    public ImplicitModel Model { get; }

    /// <summary>VᵀV of the item factors, k×k row-major.</summary>
    public ReadOnlySpan<float> ItemGramian => gramian;

    /// <summary>
    /// Writes the user vector of <paramref name="items"/> into <paramref name="user"/> (k floats).
    /// <paramref name="ratings"/> is empty (every item then counts with the model's
    /// <see cref="ImplicitModel.DefaultRating"/>) or one rating per item; items rated below the
    /// model's threshold are not interactions and are skipped, as in training. A repeated item
    /// counts once per occurrence. Returns the number of interactions used; with none the vector
    /// is all zeros and every item scores 0 (the caller should fall back, e.g. to popularity).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An item index is outside the catalog.</exception>
    public int FoldIn(ReadOnlySpan<int> items, ReadOnlySpan<float> ratings, Span<float> user)
    {
        var model = Model;
        var k = model.Factors;
        if (user.Length != k)
        {
            throw new ArgumentException($"The user vector has {user.Length} values; the model has {k} factors.", nameof(user));
        }

        if (!ratings.IsEmpty && ratings.Length != items.Length)
        {
            throw new ArgumentException($"{items.Length} items but {ratings.Length} ratings; give one rating per item or none.", nameof(ratings));
        }

        int[]? rentedIndices = null;
        float[]? rentedConfidence = null;
        float[]? rentedScratch = null;
        var scratchLength = ImplicitRowSolver.ScratchLength(k);
        try
        {
            var observed = items.Length <= StackHistoryLimit
                ? stackalloc int[StackHistoryLimit]
                : rentedIndices = ArrayPool<int>.Shared.Rent(items.Length);
            var confidence = items.Length <= StackHistoryLimit
                ? stackalloc float[StackHistoryLimit]
                : rentedConfidence = ArrayPool<float>.Shared.Rent(items.Length);
            var parameters = model.Parameters;
            var count = 0;
            for (var n = 0; n < items.Length; n++)
            {
                if ((uint)items[n] >= (uint)model.ItemCount)
                {
                    throw new ArgumentOutOfRangeException(nameof(items), items[n], $"Item index {items[n]} (position {n}) is outside the catalog of {model.ItemCount}.");
                }

                var rating = ratings.IsEmpty ? model.DefaultRating : ratings[n];
                if (!float.IsFinite(rating))
                {
                    throw new ArgumentException($"Rating {n} is not a finite number ({rating}).", nameof(ratings));
                }

                if (parameters.IsInteraction(rating))
                {
                    observed[count] = items[n];
                    confidence[count] = parameters.ConfidenceOf(rating);
                    count++;
                }
            }

            if (count == 0)
            {
                user.Clear();
                return 0;
            }

            var scratch = scratchLength <= StackScratchLimit
                ? stackalloc float[scratchLength]
                : rentedScratch = ArrayPool<float>.Shared.Rent(scratchLength);
            ImplicitRowSolver.SolveCholesky(
                gramian,
                model.ItemFactors,
                observed[..count],
                confidence[..count],
                parameters.UnobservedWeight,
                parameters.RowRegularization(count, model.ItemCount),
                scratch,
                user);
            return count;
        }
        finally
        {
            if (rentedIndices is not null)
            {
                ArrayPool<int>.Shared.Return(rentedIndices);
            }

            if (rentedConfidence is not null)
            {
                ArrayPool<float>.Shared.Return(rentedConfidence);
            }

            if (rentedScratch is not null)
            {
                ArrayPool<float>.Shared.Return(rentedScratch);
            }
        }
    }
}
