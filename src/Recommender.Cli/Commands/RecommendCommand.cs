using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Recommender.Serving;

namespace Recommender.Cli.Commands;

/// <summary>`recommender recommend`: top-N unseen titles for a user, offline from a model version (like the notebook).</summary>
internal static class RecommendCommand
{
    public static Command Create()
    {
        var flags = new ModelFlags();
        var user = new Option<long>("--user") { Description = "The dataset's user id.", Required = true };
        var top = new Option<int>("--top") { Description = "How many items.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("recommend", "Recommend unseen items for a user from a published model version.") { user, top, json };
        flags.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandAction.Run(async () =>
        {
            var (model, registry, engine) = OfflineModel.Load(parse.GetValue(flags.Repo)!, parse.GetValue(flags.Name), parse.GetValue(flags.Version));
            try
            {
                var query = new RecommendationQuery(new ModelSelector(model.Name, 0, flags.ServedKind(parse, model)), [parse.GetValue(user)],
                    parse.GetValue(top), IncludeSeen: false, [], [], AllowPopularityFallback: false);
                var result = await engine.RecommendAsync(query, cancellationToken).ConfigureAwait(false);
                var items = result.Users[0].Items;
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(items.Select(i => new { itemId = i.ItemId, title = i.Title, score = Math.Round(i.Score, 2) })));
                }
                else
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"top {items.Count} for user {result.Users[0].UserId} ({result.Model.Name} v{result.Model.Version}, {result.Model.Kind.ToString().ToLowerInvariant()}):"));
                    foreach (var item in items)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {item.Score,5:F2}  {item.Title ?? $"item {item.ItemId}"}"));
                    }
                }

                return 0;
            }
            finally
            {
                registry.Clear();
            }
        }));
        return command;
    }
}
