using System.Buffers;
using Microsoft.Extensions.Options;
using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// Rating prediction and top-N over the served model versions: validates requests against the
/// configured limits, maps external ids through the version's id maps, builds the exclusion mask,
/// and calls the strategies of the kind that answers (its <see cref="IPairScorer"/> or
/// <see cref="IRanker"/>); clips rating scores. Knows no kind by name.
/// </summary>
public sealed partial class RecommendationEngine(ModelRegistry registry, IOptions<InferenceOptions> options) : IRecommendationEngine
{
    private readonly InferenceOptions _options = options.Value;

    public async Task<PredictionResult> PredictAsync(PredictionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var count = query.UserIds.Length;
        if (count == 0)
        {
            throw new InvalidRequestException("user_ids", "the batch is empty");
        }

        if (query.ItemIds.Length != count)
        {
            throw new InvalidRequestException("item_ids", $"has {query.ItemIds.Length} ids but user_ids has {count}; the columns must be the same length");
        }

        if (count > _options.MaxPairsPerRequest)
        {
            throw new LimitExceededException("user_ids", $"{count} pairs exceed the limit of {_options.MaxPairsPerRequest} per request");
        }

        using var lease = registry.Acquire(query.Model.Name);
        var model = lease.Model;
        var kind = ResolveKind(model, query.Model, query.Model.Kind ?? model.PreferredRater ?? _options.DefaultKind);
        var scorer = kind.Ratings
            ?? throw new InvalidRequestException("model.kind", $"the {kind.Kind} model ranks items but does not predict ratings");

        var users = ArrayPool<long>.Shared.Rent(count);
        var items = ArrayPool<long>.Shared.Rent(count);
        try
        {
            // Ids without a training rating but with a cold row (profiled users, catalog items) are
            // scored by the kind's cold scorer when it has one; ids in neither map get the mean.
            var cold = kind.ColdRatings is not null ? model.Bundle.ColdIds : null;
            var fallback = MapPairs(model, cold, query, users, items, out var coldPairs);
            var ratings = new float[count];
            var u = users.AsMemory(0, count);
            var i = items.AsMemory(0, count);
            await scorer.ScoreAsync(u, i, ratings, cancellationToken).ConfigureAwait(false);
            if (coldPairs.Count > 0)
            {
                await ScoreColdAsync(kind.ColdRatings!, coldPairs, ratings, cancellationToken).ConfigureAwait(false);
            }

            foreach (var index in fallback)
            {
                ratings[index] = model.FallbackRating;
            }

            ClipInPlace(ratings, model.MinRating, model.MaxRating);
            return new PredictionResult(new AnsweredBy(model.Name, model.Version, kind.Kind), ratings, [.. fallback]);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(users);
            ArrayPool<long>.Shared.Return(items);
        }
    }

    /// <summary>A pair of the request (at <c>Position</c>) with a cold id, as indices of the extended space.</summary>
    private readonly record struct ColdPair(int Position, long User, long Item);

    private static async Task ScoreColdAsync(IPairScorer scorer, List<ColdPair> pairs, float[] ratings, CancellationToken cancellationToken)
    {
        var users = pairs.Select(p => p.User).ToArray();
        var items = pairs.Select(p => p.Item).ToArray();
        var scores = new float[pairs.Count];
        await scorer.ScoreAsync(users, items, scores, cancellationToken).ConfigureAwait(false);
        for (var k = 0; k < pairs.Count; k++)
        {
            ratings[pairs[k].Position] = scores[k];
        }
    }

    /// <summary>Top-N for each user (runs synchronously: scoring is CPU or one ORT run per user).</summary>
    public Task<RecommendationResult> RecommendAsync(RecommendationQuery query, CancellationToken cancellationToken) =>
        Task.FromResult(Recommend(query, cancellationToken));

    private RecommendationResult Recommend(RecommendationQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.UserIds.Count == 0)
        {
            throw new InvalidRequestException("user_ids", "no users given");
        }

        if (query.UserIds.Count > _options.MaxUsersPerBatch)
        {
            throw new LimitExceededException("user_ids", $"{query.UserIds.Count} users exceed the limit of {_options.MaxUsersPerBatch} per request");
        }

        ValidateTopN(query.TopN);
        using var lease = registry.Acquire(query.Model.Name);
        var model = lease.Model;
        var kind = ResolveKind(model, query.Model, query.Model.Kind ?? model.PreferredRanker ?? _options.DefaultKind);
        var ranker = kind.Ranker
            ?? throw new InvalidRequestException("model.kind", $"the {kind.Kind} model cannot rank the catalog");
        var candidates = CandidateMask(model, query);
        var history = query.HistoryItemIds.Count > 0 ? UserHistory.Map(model, query, _options.MaxHistoryItems) : null;
        var historyRanker = history is null
            ? null
            : kind.History ?? throw new InvalidRequestException("model.kind", $"the {kind.Kind} model cannot recommend from a history (history_item_ids)");

        // With a history, an unknown user is the point (a new user), not an error.
        var unknown = history is not null ? [] : query.UserIds.Where(id => !TryUser(model, id, out _)).Distinct().ToArray();
        if (unknown.Length > 0 && !query.AllowPopularityFallback)
        {
            throw new UnknownIdsException(query.UserIdsField, unknown);
        }

        var results = new UserRecommendation[query.UserIds.Count];
        for (var r = 0; r < results.Length; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var userId = query.UserIds[r];
            var known = TryUser(model, userId, out var user);
            results[r] = (known, history) switch
            {
                (_, { Items.Length: > 0 } h) => Rank(model, kind, new RankRequest(ranker, historyRanker, known ? user : -1, h), userId, query, candidates),
                (true, _) => Rank(model, kind, new RankRequest(ranker, null, user, null), userId, query, candidates),
                (false, _) when query.AllowPopularityFallback => Popular(model, userId, query.TopN, candidates),
                _ => throw new InvalidRequestException("history_item_ids", "none of the history's items is known to the model, and the popularity fallback is off"),
            };
        }

        return new RecommendationResult(new AnsweredBy(model.Name, model.Version, kind.Kind), results);
    }

    private void ValidateTopN(int topN)
    {
        if (topN <= 0)
        {
            throw new InvalidRequestException("top_n", $"must be positive, got {topN}");
        }

        if (topN > _options.MaxTopN)
        {
            throw new LimitExceededException("top_n", $"{topN} exceeds the limit of {_options.MaxTopN}");
        }
    }

    /// <summary>
    /// Which item indices may be recommended at all (candidates minus exclusions); null when the
    /// request restricts nothing, the common call, so that no catalog-sized mask is built for it.
    /// </summary>
    private static bool[]? CandidateMask(ServableModel model, RecommendationQuery query)
    {
        if (query.CandidateItemIds.Count == 0 && query.ExcludeItemIds.Count == 0)
        {
            return null;
        }

        var itemCount = model.Ids.Items.Count;
        var allowed = new bool[itemCount];
        if (query.CandidateItemIds.Count == 0)
        {
            Array.Fill(allowed, true);
        }
        else
        {
            var unknown = new List<long>();
            foreach (var id in query.CandidateItemIds)
            {
                if (TryItem(model, id, out var item))
                {
                    allowed[item] = true;
                }
                else
                {
                    unknown.Add(id);
                }
            }

            if (unknown.Count > 0)
            {
                throw new UnknownIdsException("candidate_item_ids", unknown);
            }
        }

        // Excluding an item the model does not know is a no-op, not an error: callers pass
        // their own lists, which may name newer items.
        foreach (var id in query.ExcludeItemIds)
        {
            if (TryItem(model, id, out var item))
            {
                allowed[item] = false;
            }
        }

        return allowed;
    }

    /// <summary>
    /// One user's top-N: the candidate mask, minus the user's training items (and history) unless
    /// <c>include_seen</c>, handed to the kind's ranker (or, with a history, its history ranker);
    /// rating scores clipped to the scale.
    /// </summary>
    private static UserRecommendation Rank(ServableModel model, ServedKindModel kind, RankRequest request, long userId,
        RecommendationQuery query, bool[]? allowed)
    {
        var itemCount = model.Ids.Items.Count;
        var excluded = ArrayPool<bool>.Shared.Rent(itemCount);
        var n = Math.Min(query.TopN, itemCount);
        var best = ArrayPool<int>.Shared.Rent(n);
        var scores = ArrayPool<float>.Shared.Rent(n);
        try
        {
            var excludedCount = ExcludedByRequest(allowed, excluded.AsSpan(0, itemCount));

            var seen = request.User >= 0 ? model.Seen.For(request.User) : [];
            if (!query.IncludeSeen)
            {
                excludedCount += Exclude(excluded, seen);
                excludedCount += Exclude(excluded, request.History is { } h ? h.Items : []);
            }

            var mask = excluded.AsSpan(0, itemCount);
            var written = request.History is { } history
                ? request.HistoryRanker!.Rank(history.WithSeen(seen, out var ratings), ratings, mask, excludedCount, best.AsSpan(0, n), scores.AsSpan(0, n))
                : request.Ranker.Rank(request.User, mask, excludedCount, best.AsSpan(0, n), scores.AsSpan(0, n));
            var items = new RecommendedItem[written];
            for (var i = 0; i < written; i++)
            {
                var score = kind.ScoresAreRatings ? Math.Clamp(scores[i], model.MinRating, model.MaxRating) : scores[i];
                items[i] = Describe(model, best[i], score);
            }

            return new UserRecommendation(userId, items, PopularityFallback: false);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
            ArrayPool<int>.Shared.Return(best);
            ArrayPool<bool>.Shared.Return(excluded);
        }
    }

    /// <summary>
    /// Writes the request's exclusions (the negated candidate mask, or none) into
    /// <paramref name="excluded"/>; returns how many are set. Whole-span byte operations: this runs
    /// once per Recommend call over the whole catalog.
    /// </summary>
    private static int ExcludedByRequest(bool[]? allowed, Span<bool> excluded)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(excluded);
        if (allowed is null)
        {
            bytes.Clear();
            return 0;
        }

        System.Numerics.Tensors.TensorPrimitives.Xor(System.Runtime.InteropServices.MemoryMarshal.AsBytes(allowed.AsSpan(0, excluded.Length)), (byte)1, bytes);
        return bytes.Count((byte)1);
    }

    /// <summary>Sets the flags of <paramref name="items"/>; returns how many were newly set.</summary>
    private static int Exclude(bool[] excluded, ReadOnlySpan<int> items)
    {
        var added = 0;
        foreach (var item in items)
        {
            added += excluded[item] ? 0 : 1;
            excluded[item] = true;
        }

        return added;
    }

    /// <summary>How one user is ranked: by index with the kind's ranker, or (User -1 for a new user) from a history.</summary>
    private sealed record RankRequest(IRanker Ranker, IHistoryRanker? HistoryRanker, int User, UserHistory? History);

    internal static UserRecommendation Popular(ServableModel model, long userId, int topN, bool[]? allowed)
    {
        var items = new List<RecommendedItem>(topN);
        var popularity = model.Seen.ItemPopularity;
        foreach (var item in model.Seen.ItemsByPopularity)
        {
            if (items.Count == topN)
            {
                break;
            }

            if (allowed is null || allowed[item])
            {
                items.Add(Describe(model, item, popularity[item]));
            }
        }

        return new UserRecommendation(userId, items, PopularityFallback: true);
    }

    internal static RecommendedItem Describe(ServableModel model, int item, float score)
    {
        var externalId = model.Ids.Items.ExternalId(item);
        return model.Catalog.TryGet(externalId, out var movie)
            ? new RecommendedItem(externalId, score, movie.Title, movie.Genres)
            : new RecommendedItem(externalId, score, null, []);
    }

    /// <summary>
    /// Writes the pairs' indices (0 where an id is unknown or cold, so the batch stays valid for
    /// the kind's warm graph); returns the positions that get the fallback, and collects in
    /// <paramref name="coldPairs"/> those whose ids are all known, some only in <paramref name="cold"/>.
    /// </summary>
    private static List<int> MapPairs(ServableModel model, Models.Artifacts.IdMaps? cold, PredictionQuery query, long[] users, long[] items,
        out List<ColdPair> coldPairs)
    {
        var fallback = new List<int>();
        coldPairs = [];
        List<long>? unknownUsers = null;
        List<long>? unknownItems = null;
        var userIds = query.UserIds.Span;
        var itemIds = query.ItemIds.Span;
        for (var i = 0; i < userIds.Length; i++)
        {
            var knownUser = TryUser(model, userIds[i], out var u);
            var knownItem = TryItem(model, itemIds[i], out var it);
            users[i] = knownUser ? u : 0;
            items[i] = knownItem ? it : 0;
            if (knownUser && knownItem)
            {
                continue;
            }

            if (cold is not null && TryCold(model.Ids.Users, cold.Users, userIds[i], out var coldUser)
                && TryCold(model.Ids.Items, cold.Items, itemIds[i], out var coldItem))
            {
                coldPairs.Add(new ColdPair(i, coldUser, coldItem));
                continue;
            }

            fallback.Add(i);
            if (!knownUser && !(cold is not null && TryCold(model.Ids.Users, cold.Users, userIds[i], out _)))
            {
                (unknownUsers ??= []).Add(userIds[i]);
            }

            if (!knownItem && !(cold is not null && TryCold(model.Ids.Items, cold.Items, itemIds[i], out _)))
            {
                (unknownItems ??= []).Add(itemIds[i]);
            }
        }

        if (query.UnknownIds == UnknownIdHandling.Reject)
        {
            if (unknownUsers is not null)
            {
                throw new UnknownIdsException("user_ids", [.. unknownUsers.Distinct()]);
            }

            if (unknownItems is not null)
            {
                throw new UnknownIdsException("item_ids", [.. unknownItems.Distinct()]);
            }
        }

        return fallback;
    }

    internal static ServedKindModel ResolveKind(ServableModel model, ModelSelector selector, ServedKind kind)
    {
        if (selector.Version != 0 && selector.Version != model.Version)
        {
            throw new ModelNotFoundException($"Version {selector.Version} of model '{model.Name}' is not served (serving version {model.Version}).");
        }

        return model.Kind(kind)
            ?? throw new ModelNotFoundException($"Version {model.Version} of model '{model.Name}' has no {kind} model.");
    }

    internal static bool TryUser(ServableModel model, long id, out int index)
    {
        index = -1;
        return id is >= int.MinValue and <= int.MaxValue && model.Ids.Users.TryGetIndex((int)id, out index);
    }

    internal static bool TryItem(ServableModel model, long id, out int index)
    {
        index = -1;
        return id is >= int.MinValue and <= int.MaxValue && model.Ids.Items.TryGetIndex((int)id, out index);
    }

    /// <summary>The id's index in the extended space of a kind with cold rows (<see cref="ColdIndex"/>).</summary>
    private static bool TryCold(Data.IdMap warm, Data.IdMap cold, long id, out int index)
    {
        index = -1;
        return id is >= int.MinValue and <= int.MaxValue && Data.ColdIndex.TryGet(warm, cold, (int)id, out index);
    }

    private static void ClipInPlace(Span<float> values, float min, float max)
    {
        System.Numerics.Tensors.TensorPrimitives.Clamp(values, min, max, values);
    }
}
