using System.Buffers;
using Microsoft.Extensions.Options;
using Recommender.Data;

namespace Recommender.Serving;

/// <summary>
/// Rating prediction and top-N over the served model versions: validates requests against the
/// configured limits, maps external ids through the version's id maps, scores, clips and ranks.
/// </summary>
public sealed class RecommendationEngine(ModelRegistry registry, IOptions<InferenceOptions> options)
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
        var kind = ResolveKind(model, query.Model);

        var users = ArrayPool<long>.Shared.Rent(count);
        var items = ArrayPool<long>.Shared.Rent(count);
        try
        {
            var fallback = MapPairs(model, query, users, items);
            var ratings = new float[count];
            var u = users.AsMemory(0, count);
            var i = items.AsMemory(0, count);
            if (kind == ServedKind.Mf)
            {
                model.Mf!.Score(u.Span, i.Span, ratings);
            }
            else
            {
                await model.NeuralBatcher!.ScoreAsync(u, i, ratings, cancellationToken).ConfigureAwait(false);
            }

            foreach (var index in fallback)
            {
                ratings[index] = model.FallbackRating;
            }

            ClipInPlace(ratings, model.MinRating, model.MaxRating);
            return new PredictionResult(new AnsweredBy(model.Name, model.Version, kind), ratings, [.. fallback]);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(users);
            ArrayPool<long>.Shared.Return(items);
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

        if (query.TopN <= 0)
        {
            throw new InvalidRequestException("top_n", $"must be positive, got {query.TopN}");
        }

        if (query.TopN > _options.MaxTopN)
        {
            throw new LimitExceededException("top_n", $"{query.TopN} exceeds the limit of {_options.MaxTopN}");
        }

        using var lease = registry.Acquire(query.Model.Name);
        var model = lease.Model;
        var kind = ResolveKind(model, query.Model);
        var candidates = CandidateMask(model, query);

        var unknown = query.UserIds.Where(id => !TryUser(model, id, out _)).Distinct().ToArray();
        if (unknown.Length > 0 && !query.AllowPopularityFallback)
        {
            throw new UnknownIdsException("user_id", unknown);
        }

        var results = new UserRecommendation[query.UserIds.Count];
        var scores = ArrayPool<float>.Shared.Rent(model.Ids.Items.Count);
        try
        {
            for (var r = 0; r < results.Length; r++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var userId = query.UserIds[r];
                results[r] = TryUser(model, userId, out var user)
                    ? Rank(model, kind, user, userId, query, candidates, scores.AsMemory(0, model.Ids.Items.Count), cancellationToken)
                    : Popular(model, userId, query.TopN, candidates);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }

        return new RecommendationResult(new AnsweredBy(model.Name, model.Version, kind), results);
    }

    /// <summary>Which item indices may be recommended at all (candidates minus exclusions).</summary>
    private static bool[] CandidateMask(ServableModel model, RecommendationQuery query)
    {
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

    private static UserRecommendation Rank(ServableModel model, ServedKind kind, int user, long userId,
        RecommendationQuery query, bool[] allowed, Memory<float> scores, CancellationToken cancellationToken)
    {
        var itemCount = scores.Length;
        if (kind == ServedKind.Mf && model.MfTopK is { } graph)
        {
            return RankWithGraph(model, graph, user, userId, query, allowed);
        }

        if (kind == ServedKind.Mf)
        {
            model.Mf!.ScoreAllItems(user, scores.Span);
        }
        else if (model.NeuralRank is { } rank)
        {
            rank.ScoreAllItems(user, scores.Span);
        }
        else
        {
            // Every item in one ONNX Runtime run, straight to the scorer: a whole-catalog run is
            // already a large batch, and routing it through the batcher only adds copies and waits.
            var users = ArrayPool<long>.Shared.Rent(itemCount);
            try
            {
                users.AsSpan(0, itemCount).Fill(user);
                model.NeuralScorer!.Score(users.AsSpan(0, itemCount), model.AllItemIndices, scores.Span);
            }
            finally
            {
                ArrayPool<long>.Shared.Return(users);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var excluded = ArrayPool<bool>.Shared.Rent(itemCount);
        var best = new int[Math.Min(query.TopN, itemCount)];
        int n;
        try
        {
            for (var i = 0; i < itemCount; i++)
            {
                excluded[i] = !allowed[i];
            }

            if (!query.IncludeSeen)
            {
                foreach (var item in model.Seen.For(user))
                {
                    excluded[item] = true;
                }
            }

            n = TopN.Select(scores.Span, best.Length, best, excluded.AsSpan(0, itemCount));
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(excluded);
        }

        var items = new RecommendedItem[n];
        for (var i = 0; i < n; i++)
        {
            var score = Math.Clamp(scores.Span[best[i]], model.MinRating, model.MaxRating);
            items[i] = Describe(model, best[i], score);
        }

        return new UserRecommendation(userId, items, PopularityFallback: false);
    }

    /// <summary>
    /// Top-N from the MF top-k graph: asks for enough items to survive the filters (every item
    /// that may be filtered out, plus N), then filters in managed code.
    /// </summary>
    private static UserRecommendation RankWithGraph(ServableModel model, MfOnnxTopK graph, int user, long userId,
        RecommendationQuery query, bool[] allowed)
    {
        var blocked = allowed.Count(a => !a) + (query.IncludeSeen ? 0 : model.Seen.For(user).Length);
        var k = Math.Min(model.Ids.Items.Count, query.TopN + blocked);
        var scores = new float[k];
        var indices = new long[k];
        var n = graph.Select(user, k, scores, indices);
        var items = new List<RecommendedItem>(query.TopN);
        for (var i = 0; i < n && items.Count < query.TopN; i++)
        {
            var item = (int)indices[i];
            if (allowed[item] && (query.IncludeSeen || !model.Seen.Contains(user, item)))
            {
                items.Add(Describe(model, item, Math.Clamp(scores[i], model.MinRating, model.MaxRating)));
            }
        }

        return new UserRecommendation(userId, items, PopularityFallback: false);
    }

    private static UserRecommendation Popular(ServableModel model, long userId, int topN, bool[] allowed)
    {
        var items = new List<RecommendedItem>(topN);
        var popularity = model.Seen.ItemPopularity;
        foreach (var item in model.Seen.ItemsByPopularity)
        {
            if (items.Count == topN)
            {
                break;
            }

            if (allowed[item])
            {
                items.Add(Describe(model, item, popularity[item]));
            }
        }

        return new UserRecommendation(userId, items, PopularityFallback: true);
    }

    private static RecommendedItem Describe(ServableModel model, int item, float score)
    {
        var externalId = model.Ids.Items.ExternalId(item);
        return model.Catalog.TryGet(externalId, out var movie)
            ? new RecommendedItem(externalId, score, movie.Title, movie.Genres)
            : new RecommendedItem(externalId, score, null, []);
    }

    private static List<int> MapPairs(ServableModel model, PredictionQuery query, long[] users, long[] items)
    {
        var fallback = new List<int>();
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

            fallback.Add(i);
            if (!knownUser)
            {
                (unknownUsers ??= []).Add(userIds[i]);
            }

            if (!knownItem)
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

    private ServedKind ResolveKind(ServableModel model, ModelSelector selector)
    {
        if (selector.Version != 0 && selector.Version != model.Version)
        {
            throw new ModelNotFoundException($"Version {selector.Version} of model '{model.Name}' is not served (serving version {model.Version}).");
        }

        var kind = selector.Kind ?? _options.DefaultKind;
        return model.Has(kind)
            ? kind
            : throw new ModelNotFoundException($"Version {model.Version} of model '{model.Name}' has no {kind} model.");
    }

    private static bool TryUser(ServableModel model, long id, out int index)
    {
        index = -1;
        return id is >= int.MinValue and <= int.MaxValue && model.Ids.Users.TryGetIndex((int)id, out index);
    }

    private static bool TryItem(ServableModel model, long id, out int index)
    {
        index = -1;
        return id is >= int.MinValue and <= int.MaxValue && model.Ids.Items.TryGetIndex((int)id, out index);
    }

    private static void ClipInPlace(Span<float> values, float min, float max)
    {
        System.Numerics.Tensors.TensorPrimitives.Clamp(values, min, max, values);
    }
}
