using System.CommandLine;
using System.Globalization;
using Recommender.Serving;

namespace Recommender.Cli.Commands;

/// <summary>`recommender similar`: the items most similar to one item, offline from a model version.</summary>
internal static class SimilarCommand
{
    public static Command Create()
    {
        var flags = new ModelFlags();
        var item = new Option<long>("--item") { Description = "The dataset's item id.", Required = true };
        var top = new Option<int>("--top") { Description = "How many items.", DefaultValueFactory = _ => 10 };
        var command = new Command("similar", "The items most similar to an item (cosine over the implicit or MF item factors).") { item, top };
        flags.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandAction.Run(async () =>
        {
            var (model, registry, engine) = OfflineModel.Load(parse.GetValue(flags.Repo)!, parse.GetValue(flags.Name), parse.GetValue(flags.Version));
            try
            {
                // --model defaults to mf for `recommend` (the notebook); here an unset flag lets the version choose (implicit first).
                var kind = parse.GetResult(flags.Kind) is { Implicit: false } ? flags.ServedKind(parse, model) : (ServedKind?)null;
                var result = await engine.SimilarItemsAsync(new SimilarItemsQuery(new ModelSelector(model.Name, 0, kind), [parse.GetValue(item)], parse.GetValue(top), []),
                    cancellationToken).ConfigureAwait(false);
                var title = model.Catalog.TryGet((int)parse.GetValue(item), out var movie) ? movie.Title : $"item {parse.GetValue(item)}";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"like {title} ({result.Model.Name} v{result.Model.Version}, {result.Model.Kind.ToString().ToLowerInvariant()}, cosine):"));
                foreach (var neighbour in result.Items[0].Items)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {neighbour.Score,5:F2}  {neighbour.Title ?? $"item {neighbour.ItemId}"}"));
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
