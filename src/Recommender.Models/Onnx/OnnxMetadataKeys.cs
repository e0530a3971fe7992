namespace Recommender.Models.Onnx;

/// <summary>
/// The metadata_props keys callers are expected to pass, so the exporter, the model repository and
/// the server agree on spelling. The exporters copy whatever dictionary they are given; these are
/// the keys a server checks before trusting a model with its id maps.
/// </summary>
public static class OnnxMetadataKeys
{
    public const string ModelName = "recommender.model_name";

    public const string ModelVersion = "recommender.model_version";

    public const string ModelKind = "recommender.model_kind";

    /// <summary>Fingerprint of the user/item id maps the dense indices refer to.</summary>
    public const string IdMapFingerprint = "recommender.id_map_fingerprint";
}
