using System.Globalization;
using Recommender.Models.SafeTensors;

namespace Recommender.Models.Implicit;

/// <summary>
/// The implicit model's factor file: an <see cref="ImplicitModel"/> as safetensors, readable with
/// <c>safetensors.numpy.load_file</c>. Tensors: <c>user_factors</c> F32 [U,K], <c>item_factors</c>
/// F32 [I,K], <c>item_interactions</c> I32 [I]. Metadata carries the solve parameters fold-in
/// needs (a history is folded in with the loss training minimized); they are required, because a
/// fold-in with guessed parameters would silently give different vectors.
/// </summary>
public static class ImplicitFactorFile
{
    public const string UserFactors = "user_factors";
    public const string ItemFactors = "item_factors";
    public const string ItemInteractions = "item_interactions";

    public const string FormatKey = "format";
    public const string FormatValue = "recommender.implicit";
    public const string FormatVersionKey = "format_version";
    public const string FormatVersion = "1";
    public const string FactorsKey = "factors";
    public const string RegularizationKey = "regularization";
    public const string AlphaKey = "alpha";
    public const string UnobservedWeightKey = "unobserved_weight";
    public const string RegularizationExponentKey = "regularization_exponent";
    public const string ConfidenceKey = "confidence";
    public const string RatingThresholdKey = "rating_threshold";
    public const string DefaultRatingKey = "default_rating";

    /// <summary>Names of the confidence modes in the file: c = 1 + α·r and c = 1 + α.</summary>
    public const string LinearConfidence = "linear";
    public const string ConstantConfidence = "constant";

    private static readonly HashSet<string> ReservedKeys =
    [
        FormatKey, FormatVersionKey, FactorsKey, RegularizationKey, AlphaKey, UnobservedWeightKey,
        RegularizationExponentKey, ConfidenceKey, RatingThresholdKey, DefaultRatingKey,
    ];

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/>. <paramref name="metadata"/> adds
    /// free-form string entries (e.g. epochs, seed); it may not override the reserved keys.
    /// </summary>
    public static void Save(ImplicitModel model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var writer = new SafeTensorsWriter();
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                if (ReservedKeys.Contains(key))
                {
                    throw new ArgumentException($"Metadata key '{key}' is reserved by the implicit factor file.", nameof(metadata));
                }

                writer.AddMetadata(key, value);
            }
        }

        var parameters = model.Parameters;
        writer.AddMetadata(FormatKey, FormatValue)
            .AddMetadata(FormatVersionKey, FormatVersion)
            .AddMetadata(FactorsKey, model.Factors.ToString(CultureInfo.InvariantCulture))
            .AddMetadata(RegularizationKey, Text(parameters.Regularization))
            .AddMetadata(AlphaKey, Text(parameters.Alpha))
            .AddMetadata(UnobservedWeightKey, Text(parameters.UnobservedWeight))
            .AddMetadata(RegularizationExponentKey, Text(parameters.RegularizationExponent))
            .AddMetadata(ConfidenceKey, parameters.Confidence == ImplicitConfidence.Linear ? LinearConfidence : ConstantConfidence)
            .AddMetadata(DefaultRatingKey, Text(model.DefaultRating));
        if (parameters.RatingThreshold is { } threshold)
        {
            writer.AddMetadata(RatingThresholdKey, Text(threshold));
        }

        writer.Add(UserFactors, model.UserFactors, model.UserCount, model.Factors)
            .Add(ItemFactors, model.ItemFactors, model.ItemCount, model.Factors)
            .Add(ItemInteractions, model.ItemInteractions, model.ItemCount)
            .Save(path);
    }

    /// <summary>Reads and cross-checks a factor file; any inconsistency is an <see cref="ArtifactFormatException"/> naming the file.</summary>
    public static ImplicitModel Load(string path)
    {
        using var reader = SafeTensorsReader.Open(path);
        if (!reader.Metadata.TryGetValue(FormatKey, out var format) || format != FormatValue)
        {
            throw new ArtifactFormatException(path, $"metadata {FormatKey} is '{format ?? "(missing)"}'; expected '{FormatValue}'");
        }

        if (!reader.Metadata.TryGetValue(FormatVersionKey, out var version) || version != FormatVersion)
        {
            throw new ArtifactFormatException(path, $"metadata {FormatVersionKey} is '{version ?? "(missing)"}'; this reader knows version {FormatVersion}");
        }

        var user = reader.GetTensor(UserFactors);
        var item = reader.GetTensor(ItemFactors);
        if (user.Rank != 2 || item.Rank != 2)
        {
            throw new ArtifactFormatException(path, $"factor tensors must be 2-D; got [{string.Join(',', user.Shape)}] and [{string.Join(',', item.Shape)}]");
        }

        if (user.Shape[1] != item.Shape[1] || user.Shape[1] == 0)
        {
            throw new ArtifactFormatException(path, $"user and item factors disagree on the factor count ({user.Shape[1]} vs {item.Shape[1]})");
        }

        var userCount = CheckedCount(path, user.Shape[0], UserFactors);
        var itemCount = CheckedCount(path, item.Shape[0], ItemFactors);
        var factors = CheckedCount(path, user.Shape[1], "factor dimension");
        var factorsText = Required(path, reader, FactorsKey);
        if (factorsText != factors.ToString(CultureInfo.InvariantCulture))
        {
            throw new ArtifactFormatException(path, $"metadata says {factorsText} factors but the tensors hold {factors}");
        }

        var counts = reader.GetTensor(ItemInteractions);
        if (counts.Rank != 1 || counts.Shape[0] != itemCount)
        {
            throw new ArtifactFormatException(path, $"{ItemInteractions} must have shape [{itemCount}]; got [{string.Join(',', counts.Shape)}]");
        }

        var confidenceText = Required(path, reader, ConfidenceKey);
        var confidence = confidenceText switch
        {
            LinearConfidence => ImplicitConfidence.Linear,
            ConstantConfidence => ImplicitConfidence.Constant,
            _ => throw new ArtifactFormatException(path, $"metadata {ConfidenceKey} '{confidenceText}' is neither '{LinearConfidence}' nor '{ConstantConfidence}'"),
        };

        var parameters = new ImplicitSolveParameters
        {
            Regularization = Number(path, reader, RegularizationKey),
            Alpha = Number(path, reader, AlphaKey),
            UnobservedWeight = Number(path, reader, UnobservedWeightKey),
            RegularizationExponent = Number(path, reader, RegularizationExponentKey),
            Confidence = confidence,
            RatingThreshold = reader.Metadata.ContainsKey(RatingThresholdKey) ? Number(path, reader, RatingThresholdKey) : null,
        };
        try
        {
            parameters.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArtifactFormatException(path, e.Message, e);
        }

        var interactions = reader.ReadIndexVector(ItemInteractions);
        for (var i = 0; i < interactions.Length; i++)
        {
            if (interactions[i] < 0)
            {
                throw new ArtifactFormatException(path, $"{ItemInteractions}[{i}] is negative ({interactions[i]})");
            }
        }

        return new ImplicitModel(
            userCount,
            itemCount,
            factors,
            reader.ReadSingle(UserFactors),
            reader.ReadSingle(ItemFactors),
            interactions,
            parameters,
            Number(path, reader, DefaultRatingKey));
    }

    private static string Text(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Required(string path, SafeTensorsReader reader, string key) =>
        reader.Metadata.TryGetValue(key, out var text)
            ? text
            : throw new ArtifactFormatException(path, $"metadata {key} is missing");

    private static float Number(string path, SafeTensorsReader reader, string key)
    {
        var text = Required(path, reader, key);
        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
            ? value
            : throw new ArtifactFormatException(path, $"metadata {key} '{text}' is not a finite number");
    }

    private static int CheckedCount(string path, long value, string what) =>
        value <= int.MaxValue
            ? (int)value
            : throw new ArtifactFormatException(path, $"{what} of {value} is too large");
}
