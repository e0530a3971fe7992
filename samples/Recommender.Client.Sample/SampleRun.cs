using System.Globalization;
using Recommender.Client;
using Recommender.Contracts.V1;

namespace Recommender.Client.Sample;

/// <summary>What the sample does with the client; separate from Program so that the client tests run it against a real server.</summary>
public static class SampleRun
{
    public static async Task RunAsync(IRecommenderClient client, long userId, int topN, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(output);
        var culture = CultureInfo.InvariantCulture;

        var info = await client.GetModelInfoAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var model in info.Models)
        {
            await output.WriteLineAsync(string.Format(culture, "Serving {0} v{1} on {2}: {3} users, {4} items",
                model.Version.Name, model.Version.Version, model.ExecutionProvider, model.UserCount, model.ItemCount)).ConfigureAwait(false);
        }

        var top = await client.RecommendAsync(userId, topN, cancellationToken: cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(string.Format(culture, "Top {0} for user {1} ({2} v{3}){4}:", top.Items.Count, top.UserId, top.Model.Name,
            top.Model.Version, top.PopularityFallback ? ", most popular: the user is unknown" : "")).ConfigureAwait(false);
        for (var i = 0; i < top.Items.Count; i++)
        {
            var item = top.Items[i];
            await output.WriteLineAsync(string.Format(culture, "  {0}. {1,5:F2}  {2} [{3}]", i + 1, item.Score,
                string.IsNullOrEmpty(item.Title) ? $"item {item.ItemId}" : item.Title, string.Join('|', item.Genres))).ConfigureAwait(false);
        }

        // A prediction batch: the same user against the recommended items and then some, in one call.
        var items = top.Items.Select(i => i.ItemId).ToList();
        var pairs = items.Select(item => (userId, item)).ToArray();
        if (pairs.Length == 0)
        {
            return;
        }

        var predictions = await client.PredictRatingsAsync(pairs, new PredictOptions { FallbackForUnknownIds = true },
            cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(string.Format(culture, "Predicted ratings ({0} v{1}, {2}):", predictions.Model.Name, predictions.Model.Version,
            predictions.Model.Kind == ModelKind.Neural ? "neural" : "MF")).ConfigureAwait(false);
        for (var i = 0; i < pairs.Length; i++)
        {
            var fallback = predictions.FallbackIndices.Contains(i) ? "  (fallback: unknown id)" : "";
            await output.WriteLineAsync(string.Format(culture, "  user {0}, item {1}: {2:F2}{3}", pairs[i].userId, pairs[i].item,
                predictions.Ratings[i], fallback)).ConfigureAwait(false);
        }
    }
}
