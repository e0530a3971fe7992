using System.Buffers;
using Recommender.Data;

namespace Recommender.Serving;

/// <summary>
/// Ranks in two stages: a cheap retrieval ranker (dot products of the implicit or MF model of the
/// same version) picks the best <see cref="Candidates"/> allowed items, and only those are scored
/// by the expensive model (the neural pair graph), whose order decides the answer. The exclusion
/// mask applies in the first stage, so the second never sees an excluded item. The answer equals
/// the expensive model's whole-catalog top-N whenever that top-N lies within the retrieved items.
/// </summary>
public sealed class TwoStageRanker : IRanker
{
    private readonly IRanker _retrieval;
    private readonly ScoreCandidates _score;

    /// <summary>Scores <paramref name="items"/> for one user into <paramref name="scores"/> (the second stage).</summary>
    public delegate void ScoreCandidates(int user, ReadOnlySpan<long> items, Span<float> scores);

    public TwoStageRanker(IRanker retrieval, ScoreCandidates score, int candidates, string secondStageMethod, string retrievalKind)
    {
        ArgumentNullException.ThrowIfNull(retrieval);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        _retrieval = retrieval;
        _score = score;
        Candidates = candidates;
        Method = $"two-stage({retrievalKind} {retrieval.Method} top {candidates}, {secondStageMethod})";
    }

    public string Method { get; }

    /// <summary>Items retrieved per call (at least the N asked for).</summary>
    public int Candidates { get; }

    public int Rank(int user, ReadOnlySpan<bool> excluded, int excludedCount, Span<int> items, Span<float> scores)
    {
        var wanted = Math.Min(items.Length, scores.Length);
        var c = Math.Max(Candidates, wanted);
        var retrieved = ArrayPool<int>.Shared.Rent(c);
        var retrievedScores = ArrayPool<float>.Shared.Rent(c);
        var ids = ArrayPool<long>.Shared.Rent(c);
        var finalScores = ArrayPool<float>.Shared.Rent(c);
        var best = ArrayPool<int>.Shared.Rent(wanted);
        try
        {
            var found = _retrieval.Rank(user, excluded, excludedCount, retrieved.AsSpan(0, c), retrievedScores.AsSpan(0, c));
            for (var i = 0; i < found; i++)
            {
                ids[i] = retrieved[i];
            }

            var rescored = finalScores.AsSpan(0, found);
            _score(user, ids.AsSpan(0, found), rescored);
            // Ties go to the better-retrieved item (TopN prefers the lower position).
            var n = TopN.Select(rescored, Math.Min(wanted, found), best, ReadOnlySpan<bool>.Empty);
            for (var i = 0; i < n; i++)
            {
                items[i] = retrieved[best[i]];
                scores[i] = rescored[best[i]];
            }

            return n;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(best);
            ArrayPool<float>.Shared.Return(finalScores);
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<float>.Shared.Return(retrievedScores);
            ArrayPool<int>.Shared.Return(retrieved);
        }
    }

    /// <summary>
    /// The loaded kinds with every kind that can score candidates (<see cref="ServedKindModel.CandidateScorer"/>)
    /// ranking in two stages, when <paramref name="options"/> call for it on a catalog of
    /// <paramref name="itemCount"/> items and the version holds a retrieval kind (implicit, else MF).
    /// </summary>
    public static IReadOnlyList<ServedKindModel> Compose(IReadOnlyList<ServedKindModel> kinds, int itemCount, TwoStageOptions options)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled || itemCount < options.FromItems)
        {
            return kinds;
        }

        var retrieval = kinds.FirstOrDefault(k => k.Kind == ServedKind.Implicit && k.Ranker is not null)
            ?? kinds.FirstOrDefault(k => k.Kind == ServedKind.Mf && k.Ranker is not null);
        if (retrieval is null)
        {
            return kinds;
        }

        // A first stage may be approximate: the second re-ranks every candidate it retrieves.
        var first = retrieval.Ranker is ICandidateRetrieval cheap ? cheap.ForRetrieval : retrieval.Ranker!;
        return
        [
            .. kinds.Select(k => k.CandidateScorer is { } score && k.Ranker is { } whole
                ? k.WithRanker(new TwoStageRanker(first, score, options.Candidates, whole.Method, retrieval.Kind.ToString().ToLowerInvariant()))
                : k),
        ];
    }
}
