namespace Recommender.Data;

/// <summary>Scores (user, item) pairs given as dense indices; raw, unclipped scores.</summary>
public delegate void PairScorer(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> scores);

/// <summary>
/// A ranker evaluated by its lists rather than by pair scores (a served two-stage ranker): writes
/// the best items (indices) for <c>user</c> (an index), best first, none of <c>seen</c>; returns how many.
/// </summary>
public delegate int ListRanker(int user, IReadOnlySet<int> seen, Span<int> best);

/// <summary>Held-out accuracy of one model: rating error over every test rating, and top-k ranking quality.</summary>
public sealed record EvaluationReport(int TestRatings, int ColdRatings, double Rmse, double Mae, RankingReport Ranking)
{
    /// <summary>RMSE over the <see cref="ColdRatings"/> alone (user or item unseen in training); NaN when there are none.</summary>
    public double ColdRmse { get; init; } = double.NaN;
}

/// <summary>
/// Evaluates any model through a <see cref="PairScorer"/>, so the same numbers come out for the
/// factor file, TorchSharp and ONNX Runtime. Test ratings whose user or item never appeared in
/// training are scored with <c>coldFallback</c> (the training mean), never dropped, unless a
/// <see cref="ColdPairScorer"/> (a model with feature-only rows for them) scores them. Ranking ranks
/// every item the user did not rate in training and compares the top k with the held-out items
/// rated at or above the relevance threshold (4 unless given; null: every held-out item); at most
/// <c>maxRankingUsers</c> users (a seeded sample) are ranked, which bounds the cost on large catalogs.
/// </summary>
public static class HeldOutEvaluator
{
    private const int Chunk = 65_536;

    public static EvaluationReport Evaluate(TrainingSet set, PairScorer scorer, float minRating, float maxRating,
        float coldFallback, int k = 10, int maxRankingUsers = 1000, int seed = 0, CancellationToken cancellationToken = default) =>
        Evaluate(set, scorer, minRating, maxRating, coldFallback, k, maxRankingUsers, seed, RankingMetrics.DefaultRelevanceThreshold, cancellationToken);

    /// <summary>
    /// As above with the ranking's relevance threshold given: held-out items rated at or above
    /// <paramref name="relevanceThreshold"/> are relevant; null makes every held-out item relevant.
    /// </summary>
    public static EvaluationReport Evaluate(TrainingSet set, PairScorer scorer, float minRating, float maxRating,
        float coldFallback, int k, int maxRankingUsers, int seed, float? relevanceThreshold, CancellationToken cancellationToken = default) =>
        Evaluate(set, scorer, null, minRating, maxRating, coldFallback, k, maxRankingUsers, seed, relevanceThreshold, cancellationToken);

    /// <summary>
    /// As above, with <paramref name="coldScorer"/> scoring the cold test pairs it can (those it
    /// leaves get <paramref name="coldFallback"/>); null scores every cold pair with the fallback.
    /// </summary>
    public static EvaluationReport Evaluate(TrainingSet set, PairScorer scorer, ColdPairScorer? coldScorer, float minRating, float maxRating,
        float coldFallback, int k, int maxRankingUsers, int seed, float? relevanceThreshold, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(scorer);
        var (rmse, mae, coldRmse) = RatingErrors(set, scorer, coldScorer, minRating, maxRating, coldFallback, cancellationToken);
        var ranking = Ranking(set, scorer, k, maxRankingUsers, seed, relevanceThreshold, cancellationToken);
        return new EvaluationReport(set.TestCount, set.TestCold.Count, rmse, mae, ranking) { ColdRmse = coldRmse };
    }

    /// <summary>
    /// The ranking half of <see cref="Evaluate(TrainingSet, PairScorer, float, float, float, int, int, int, float?, CancellationToken)"/>
    /// alone, for rankers whose scores are not ratings (an implicit model, a popularity count).
    /// </summary>
    public static RankingReport EvaluateRanking(TrainingSet set, PairScorer scorer, int k = 10, int maxRankingUsers = 1000, int seed = 0,
        float? relevanceThreshold = RankingMetrics.DefaultRelevanceThreshold, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(scorer);
        return Ranking(set, scorer, k, maxRankingUsers, seed, relevanceThreshold, cancellationToken);
    }

    /// <summary>
    /// Ranking metrics of the lists <paramref name="ranker"/> writes, over the same seeded user sample
    /// and relevance as the pair-scoring evaluation (so the two are comparable).
    /// </summary>
    public static RankingReport EvaluateRanking(TrainingSet set, ListRanker ranker, int k = 10, int maxRankingUsers = 1000, int seed = 0,
        float? relevanceThreshold = RankingMetrics.DefaultRelevanceThreshold, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(ranker);
        var (users, sampled) = Sample(set, maxRankingUsers, seed, relevanceThreshold);
        var seen = SeenByUser(set.Train);
        var best = new int[Math.Min(k, set.ItemMap.Count)];
        var lists = new Dictionary<int, IReadOnlyList<int>>(users.Length);
        foreach (var external in users)
        {
            cancellationToken.ThrowIfCancellationRequested();
            set.UserMap.TryGetIndex(external, out var user);
            var n = ranker(user, seen[user], best);
            lists[external] = [.. best[..n].Select(set.ItemMap.ExternalId)];
        }

        return RankingMetrics.Evaluate(lists, sampled, k, set.ItemMap.Count);
    }

    private static (int[] Users, Dictionary<int, HashSet<int>> Relevant) Sample(TrainingSet set, int maxUsers, int seed, float? relevanceThreshold)
    {
        var relevant = RankingMetrics.RelevantSets(set.TestKnownRatings, relevanceThreshold ?? float.NegativeInfinity);
        var users = relevant.Where(r => r.Value.Count > 0).Select(r => r.Key).Order().ToArray();
        if (users.Length > maxUsers)
        {
            new Random(seed).Shuffle(users);
            users = users[..maxUsers];
        }

        return (users, users.ToDictionary(u => u, u => relevant[u]));
    }

    private static (double Rmse, double Mae, double ColdRmse) RatingErrors(TrainingSet set, PairScorer scorer, ColdPairScorer? coldScorer,
        float min, float max, float coldFallback, CancellationToken cancellationToken)
    {
        var known = set.TestKnown;
        var count = set.TestCount;
        if (count == 0)
        {
            return (double.NaN, double.NaN, double.NaN);
        }

        var predicted = new float[count];
        var actual = new float[count];
        for (var start = 0; start < known.Count; start += Chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var length = Math.Min(Chunk, known.Count - start);
            scorer(known.Users.AsSpan(start, length), known.Items.AsSpan(start, length), predicted.AsSpan(start, length));
        }

        known.Values.CopyTo(actual, 0);
        predicted.AsSpan(known.Count).Fill(coldFallback);
        if (set.TestCold.Count > 0)
        {
            coldScorer?.Invoke(set.TestCold, predicted.AsSpan(known.Count));
        }

        set.TestCold.Values.CopyTo(actual, known.Count);
        System.Numerics.Tensors.TensorPrimitives.Clamp(predicted, min, max, predicted);
        var coldRmse = set.TestCold.Count == 0 ? double.NaN : RatingMetrics.Rmse(actual.AsSpan(known.Count), predicted.AsSpan(known.Count));
        return (RatingMetrics.Rmse(actual, predicted), RatingMetrics.Mae(actual, predicted), coldRmse);
    }

    private static RankingReport Ranking(TrainingSet set, PairScorer scorer, int k, int maxUsers, int seed, float? relevanceThreshold, CancellationToken cancellationToken)
    {
        var (users, sampled) = Sample(set, maxUsers, seed, relevanceThreshold);
        var seen = SeenByUser(set.Train);
        var itemCount = set.ItemMap.Count;
        // Several users per scorer call: one large run is far cheaper than many small ones.
        var usersPerCall = Math.Max(1, Chunk * 4 / Math.Max(1, itemCount));
        var userColumn = new int[usersPerCall * itemCount];
        var itemColumn = new int[usersPerCall * itemCount];
        for (var i = 0; i < itemColumn.Length; i++)
        {
            itemColumn[i] = i % itemCount;
        }

        var scores = new float[userColumn.Length];
        var best = new int[Math.Min(k, itemCount)];
        var lists = new Dictionary<int, IReadOnlyList<int>>(users.Length);
        for (var start = 0; start < users.Length; start += usersPerCall)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = users.AsSpan(start, Math.Min(usersPerCall, users.Length - start));
            for (var b = 0; b < batch.Length; b++)
            {
                set.UserMap.TryGetIndex(batch[b], out var user);
                userColumn.AsSpan(b * itemCount, itemCount).Fill(user);
            }

            var pairs = batch.Length * itemCount;
            scorer(userColumn.AsSpan(0, pairs), itemColumn.AsSpan(0, pairs), scores.AsSpan(0, pairs));
            for (var b = 0; b < batch.Length; b++)
            {
                var rated = seen[userColumn[b * itemCount]];
                var n = TopN.Select(scores.AsSpan(b * itemCount, itemCount), best.Length, best, rated.Contains);
                lists[batch[b]] = [.. best[..n].Select(set.ItemMap.ExternalId)];
            }
        }

        return RankingMetrics.Evaluate(lists, sampled, k, itemCount);
    }

    private static HashSet<int>[] SeenByUser(IndexedRatings train)
    {
        var seen = new HashSet<int>[train.UserCount];
        for (var u = 0; u < seen.Length; u++)
        {
            seen[u] = [];
        }

        for (var r = 0; r < train.Count; r++)
        {
            seen[train.Users[r]].Add(train.Items[r]);
        }

        return seen;
    }
}
