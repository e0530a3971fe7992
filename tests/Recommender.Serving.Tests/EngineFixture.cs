using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Recommender.Data;
using Recommender.Models.Artifacts;
using Recommender.Models.Repository;

namespace Recommender.Serving.Tests;

/// <summary>
/// A real, tiny published version (3 users, 6 items, catalog, seen items) served through the real
/// loader, registry and engine, with fake kinds instead of trained models, so the engine's own
/// logic is tested without training anything.
/// Users 100, 101, 102 (indices 0-2); items 10..15 (indices 0-5). User 100 rated items 10 and 11;
/// user 101 rated 12; user 102 rated 12, 13, 14. Item 12 is the most popular.
/// </summary>
internal sealed class EngineFixture : IDisposable
{
    public static readonly long[] Users = [100, 101, 102];
    public static readonly long[] Items = [10, 11, 12, 13, 14, 15];

    private readonly string _root = Directory.CreateTempSubdirectory("engine-tests-").FullName;
    private readonly ModelRegistry _registry = new();

    public EngineFixture(IReadOnlyList<IServingKind> kinds, ServedKind defaultKind = ServedKind.Mf)
    {
        var repository = new ModelRepository(_root, TimeProvider.System);
        using (var draft = repository.BeginPublish("tiny"))
        {
            var users = IdMap.FromFirstAppearance([.. Users.Select(u => (int)u)]);
            var items = IdMap.FromFirstAppearance([.. Items.Select(i => (int)i)]);
            draft.AddIdMaps(new IdMaps(users, items));
            draft.AddCatalog(new ItemCatalog(Items.Select(i => new Movie((int)i, $"Film {i}", ["Drama"]))));
            draft.AddSeenItems(SeenItems.FromRatings(new IndexedRatings([0, 0, 1, 2, 2, 2], [0, 1, 2, 2, 3, 4], [4, 4, 4, 4, 4, 4], 3, 6)));
            draft.Commit(new DatasetInfo("tiny", "fp"), new Dictionary<string, string> { [ManifestKeys.MinRating] = "1", [ManifestKeys.MaxRating] = "5" },
                new Dictionary<string, double> { [ManifestKeys.TrainingMeanRating] = 3.5 });
        }

        var options = Options.Create(new InferenceOptions { RepositoryPath = _root, DefaultKind = defaultKind, MaxTopN = 100 });
        var sessions = new OnnxSessionFactory(ExecutionProviderPreference.Cpu, 0, 1, NullLogger<OnnxSessionFactory>.Instance);
        var loader = new ServableModelLoader(repository, sessions, options, new ServingMetrics(), kinds);
        _registry.Install(loader.Load("tiny", 1));
        Engine = new RecommendationEngine(_registry, options);
    }

    public RecommendationEngine Engine { get; }

    public RecommendationResult Recommend(long user, int topN, ServedKind? kind = null, bool includeSeen = false,
        long[]? exclude = null, long[]? candidates = null, bool fallback = false) =>
        Engine.RecommendAsync(new RecommendationQuery(new ModelSelector(null, 0, kind), [user], topN, includeSeen, exclude ?? [], candidates ?? [], fallback),
            CancellationToken.None).GetAwaiter().GetResult();

    public Task<PredictionResult> PredictAsync(long[] users, long[] items, ServedKind? kind, UnknownIdHandling unknown = UnknownIdHandling.Reject) =>
        Engine.PredictAsync(new PredictionQuery(new ModelSelector(null, 0, kind), users, items, unknown), CancellationToken.None);

    public void Dispose()
    {
        _registry.Clear();
        Directory.Delete(_root, recursive: true);
    }
}
