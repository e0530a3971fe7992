using System.Buffers;

namespace Recommender.Serving;

/// <summary>SimilarItems: the items nearest to each given item in the answering kind's item space.</summary>
public sealed partial class RecommendationEngine
{
    public Task<SimilarItemsResult> SimilarItemsAsync(SimilarItemsQuery query, CancellationToken cancellationToken) =>
        Task.FromResult(SimilarItems(query, cancellationToken));

    private SimilarItemsResult SimilarItems(SimilarItemsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.ItemIds.Count == 0)
        {
            throw new InvalidRequestException("item_ids", "no items given");
        }

        if (query.ItemIds.Count > _options.MaxItemsPerSimilarRequest)
        {
            throw new LimitExceededException("item_ids", $"{query.ItemIds.Count} items exceed the limit of {_options.MaxItemsPerSimilarRequest} per request");
        }

        ValidateTopN(query.TopN);
        using var lease = registry.Acquire(query.Model.Name);
        var model = lease.Model;
        var kind = ResolveKind(model, query.Model, query.Model.Kind ?? model.PreferredRanker
            ?? model.Kinds.FirstOrDefault(k => model.Kind(k)!.Similarity is not null, _options.DefaultKind));
        var similarity = kind.Similarity
            ?? throw new InvalidRequestException("model.kind", $"the {kind.Kind} model has no item factors to compare");

        var indices = new int[query.ItemIds.Count];
        var unknown = new List<long>();
        for (var i = 0; i < indices.Length; i++)
        {
            if (!TryItem(model, query.ItemIds[i], out indices[i]))
            {
                unknown.Add(query.ItemIds[i]);
            }
        }

        if (unknown.Count > 0)
        {
            throw new UnknownIdsException("item_ids", [.. unknown.Distinct()]);
        }

        var itemCount = model.Ids.Items.Count;
        var excluded = new bool[itemCount];
        foreach (var id in query.ExcludeItemIds)
        {
            if (TryItem(model, id, out var item))
            {
                excluded[item] = true;
            }
        }

        var n = Math.Min(query.TopN, itemCount);
        var best = ArrayPool<int>.Shared.Rent(n);
        var scores = ArrayPool<float>.Shared.Rent(n);
        try
        {
            var results = new ItemNeighbours[indices.Length];
            for (var r = 0; r < indices.Length; r++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var written = similarity.Similar(indices[r], excluded, best.AsSpan(0, n), scores.AsSpan(0, n));
                var items = new RecommendedItem[written];
                for (var i = 0; i < written; i++)
                {
                    items[i] = Describe(model, best[i], scores[i]);
                }

                results[r] = new ItemNeighbours(query.ItemIds[r], items);
            }

            return new SimilarItemsResult(new AnsweredBy(model.Name, model.Version, kind.Kind), results);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
            ArrayPool<int>.Shared.Return(best);
        }
    }
}
