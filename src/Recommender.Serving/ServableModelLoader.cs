using Microsoft.Extensions.Options;
using Recommender.Models;
using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// Loads a model version completely before it may serve: checksums and shapes (by the
/// repository), then every kind present in the version loads its models (ONNX sessions on the
/// configured provider, signature checks, smoke inferences). Any failure refuses the version.
/// </summary>
public sealed class ServableModelLoader(
    ModelRepository repository,
    OnnxSessionFactory sessions,
    IOptions<InferenceOptions> options,
    ServingMetrics metrics,
    IReadOnlyList<IServingKind>? kinds = null)
{
    private readonly IReadOnlyList<IServingKind> _kinds = kinds ?? ServingKinds.All;

    public ModelRepository Repository { get; } = repository;

    /// <exception cref="ArtifactFormatException">A file is missing, corrupt or inconsistent.</exception>
    /// <exception cref="InvalidDataException">The model fails its signature or smoke check.</exception>
    public ServableModel Load(string name, long version)
    {
        // Loads are one at a time (the watcher's scan gate), so the growth is this version's,
        // give or take what requests allocate meanwhile.
        var residentBefore = Environment.WorkingSet;
        var bundle = Repository.OpenVersion(name, version);
        var catalog = bundle.Catalog ?? throw Incomplete(bundle, ArtifactFileNames.Catalog);
        var seen = bundle.SeenItems ?? throw Incomplete(bundle, ArtifactFileNames.SeenItems);
        var present = _kinds.Where(k => k.IsIn(bundle)).ToArray();
        if (present.Length == 0)
        {
            throw new InvalidDataException($"Version {version} of '{name}' holds no model of a kind this server serves ({string.Join(", ", _kinds.Select(k => k.Kind))}).");
        }

        var context = new ServingKindContext(sessions, options.Value, metrics);
        var loaded = new List<ServedKindModel>();
        try
        {
            foreach (var kind in present)
            {
                loaded.Add(kind.Load(bundle, context));
            }

            var preferred = present.Where(k => k.RankingPreference > 0).MaxBy(k => k.RankingPreference)?.Kind;
            var rater = present.Where(k => k.RatingPreference > 0).MaxBy(k => k.RatingPreference)?.Kind;
            var served = TwoStageRanker.Compose(ColdPairs.Compose(bundle, loaded), bundle.Items.Count, options.Value.TwoStage);
            return new ServableModel(bundle, catalog, seen, served, preferred)
            {
                PreferredRater = rater,
                LoadResidentBytes = Math.Max(0, Environment.WorkingSet - residentBefore),
            };
        }
        catch
        {
            foreach (var kind in loaded)
            {
                kind.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            throw;
        }
    }

    private static ArtifactFormatException Incomplete(ModelVersionBundle bundle, string file) =>
        new(bundle.DirectoryPath, $"the version lists no {file}, which the inference service needs");
}
