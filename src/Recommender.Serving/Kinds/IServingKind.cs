using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// One model kind's serving side: recognises its models in a version and builds, from them, the
/// strategies the engine calls. A kind refuses a version it cannot serve by throwing
/// (InvalidDataException or ArtifactFormatException), which refuses the whole version.
/// </summary>
public interface IServingKind
{
    ServedKind Kind { get; }

    /// <summary>
    /// When no request names a kind, Recommend uses the present kind with the highest ranking
    /// preference above zero, else the configured default. Rating models answer 0.
    /// </summary>
    int RankingPreference { get; }

    /// <summary>
    /// When no request names a kind, PredictRatings uses the present kind with the highest rating
    /// preference above zero (a blend of the rating models), else the configured default.
    /// </summary>
    int RatingPreference => 0;

    /// <summary>True when the version holds a model of this kind.</summary>
    bool IsIn(ModelVersionBundle bundle);

    /// <summary>Opens, checks (signature, smoke inference) and wraps the kind's models.</summary>
    ServedKindModel Load(ModelVersionBundle bundle, ServingKindContext context);
}

/// <summary>What a kind's loader may use: ONNX Runtime sessions on the configured provider, options, metrics.</summary>
public sealed record ServingKindContext(OnnxSessionFactory Sessions, InferenceOptions Options, ServingMetrics Metrics);
