using Google.Protobuf.WellKnownTypes;
using Recommender.Contracts.V1;
using Recommender.Models.Repository;
using Recommender.Serving;

namespace Recommender.InferenceService;

/// <summary>Describes a served version for GetModelInfo.</summary>
internal static class ModelInfoMapping
{
    public static LoadedModel Describe(ServableModel model)
    {
        var manifest = model.Bundle.Manifest;
        var version = new ModelVersion
        {
            Name = model.Name,
            Version = model.Version,
            CreatedAt = Timestamp.FromDateTimeOffset(manifest.CreatedAt),
            DatasetFingerprint = manifest.Dataset.Fingerprint,
        };
        version.Kinds.AddRange(model.Kinds.Select(ContractMapping.ToContract));

        version.Metrics.AddRange(manifest.Metrics.Select(m => new MetricValue { Name = m.Key, Value = m.Value }));
        version.HyperParameters.Add(manifest.HyperParameters.ToDictionary());
        version.Files.AddRange(manifest.Files.Select(f => new ModelFile { Path = f.Name, SizeBytes = f.Size, Sha256 = f.Sha256 }));
        return new LoadedModel
        {
            Version = version,
            ExecutionProvider = model.ExecutionProvider,
            UserCount = model.Ids.Users.Count,
            ItemCount = model.Ids.Items.Count,
            MinRating = model.MinRating,
            MaxRating = model.MaxRating,
            MfScorer = model.Kind(ServedKind.Mf)?.Ranker?.Method ?? "",
        };
    }
}
