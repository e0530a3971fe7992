using Recommender.Models.Repository;

namespace Recommender.Serving.Tests;

/// <summary>
/// A kind whose scores are known in advance: pair score = user * 10 + item (raw, beyond the rating
/// scale for most pairs, so clipping shows), catalog score = <see cref="ItemScore"/>. Counts calls
/// so a test can tell which kind answered.
/// </summary>
internal sealed class FakeKind(ServedKind kind, bool predictsRatings, int rankingPreference, bool history = false, float[]? itemFactors = null, int ratingPreference = 0) : IServingKind
{
    /// <summary>The history and ratings the last history-based call folded in.</summary>
    public (int[] Items, float[] Ratings)? LastHistory { get; private set; }

    public ServedKind Kind { get; } = kind;

    public int RankingPreference { get; } = rankingPreference;

    public int RatingPreference { get; } = ratingPreference;

    public int PairCalls { get; private set; }

    public int RankCalls { get; private set; }

    /// <summary>Item i scores 0.5 + i (so the highest index ranks first) for every user.</summary>
    public static float ItemScore(int item) => 0.5f + item;

    public bool IsIn(ModelVersionBundle bundle) => true;

    public ServedKindModel Load(ModelVersionBundle bundle, ServingKindContext context)
    {
        var itemCount = bundle.Items.Count;
        var ranker = new WholeCatalogRanker("fake", itemCount, (user, scores) =>
        {
            RankCalls++;
            for (var i = 0; i < scores.Length; i++)
            {
                scores[i] = ItemScore(i);
            }
        });
        return new ServedKindModel(Kind, predictsRatings ? new Pairs(this) : null, ranker, predictsRatings, null, [])
        {
            History = history ? new Folding(this, ranker) : null,
            Similarity = itemFactors is null ? null : new ItemFactorSimilarity(itemFactors, itemCount, itemFactors.Length / itemCount),
        };
    }

    /// <summary>Records the history, then ranks as the catalog ranker does (it ignores the user).</summary>
    private sealed class Folding(FakeKind owner, IRanker ranker) : IHistoryRanker
    {
        public int Rank(ReadOnlySpan<int> history, ReadOnlySpan<float> ratings, ReadOnlySpan<bool> excluded, int excludedCount, Span<int> items, Span<float> scores)
        {
            owner.LastHistory = (history.ToArray(), ratings.ToArray());
            return ranker.Rank(-1, excluded, excludedCount, items, scores);
        }
    }

    private sealed class Pairs(FakeKind owner) : IPairScorer
    {
        public void Score(ReadOnlySpan<long> users, ReadOnlySpan<long> items, Span<float> scores)
        {
            owner.PairCalls++;
            for (var i = 0; i < users.Length; i++)
            {
                scores[i] = (users[i] * 10) + items[i];
            }
        }
    }
}
