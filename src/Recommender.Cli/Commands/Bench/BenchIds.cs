using Recommender.Models.Repository;

namespace Recommender.Cli.Commands.Bench;

/// <summary>
/// The external ids requests are drawn from. With the model repository at hand they are the served
/// version's own id maps; without it, 1..count (MovieLens numbering), and any id the version does
/// not know comes back as NOT_FOUND, counted as an error by status.
/// </summary>
internal sealed record BenchIds(long[] Users, long[] Items, string Source)
{
    public static BenchIds FromRepository(string repositoryPath, string modelName, long version)
    {
        var bundle = new ModelRepository(repositoryPath, TimeProvider.System).OpenVersion(modelName, version);
        return new BenchIds(
            [.. bundle.Users.ExternalIds.Select(id => (long)id)],
            [.. bundle.Items.ExternalIds.Select(id => (long)id)],
            $"the id maps of {modelName} v{version} in {repositoryPath}");
    }

    public static BenchIds FromRange(int users, int items) =>
        new([.. Enumerable.Range(1, users).Select(i => (long)i)], [.. Enumerable.Range(1, items).Select(i => (long)i)],
            $"1..{users} users and 1..{items} items (no --repo: unknown ids count as NOT_FOUND)");
}
