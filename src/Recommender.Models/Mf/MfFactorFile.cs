using System.Globalization;
using Recommender.Models.SafeTensors;

namespace Recommender.Models.Mf;

/// <summary>
/// The MF factor file: an <see cref="MfModel"/> as safetensors, so Python users can open it with
/// <c>safetensors.numpy.load_file</c>. Tensors: <c>user_factors</c> F32 [U,K], <c>item_factors</c>
/// F32 [I,K], and for the biased variant <c>global_mean</c> F32 [] plus <c>user_bias</c> F32 [U]
/// and <c>item_bias</c> F32 [I]. Metadata records the variant and rating range, which the tensors
/// alone cannot carry.
/// </summary>
public static class MfFactorFile
{
    public const string UserFactors = "user_factors";
    public const string ItemFactors = "item_factors";
    public const string GlobalMean = "global_mean";
    public const string UserBias = "user_bias";
    public const string ItemBias = "item_bias";

    public const string FormatKey = "format";
    public const string FormatValue = "recommender.mf";
    public const string FormatVersionKey = "format_version";
    public const string VariantKey = "variant";
    public const string FactorsKey = "factors";
    public const string MinRatingKey = "min_rating";
    public const string MaxRatingKey = "max_rating";

    /// <summary>The variant name of the notebook's plain p·q model.</summary>
    public const string SeedVariant = "seed";

    /// <summary>The variant name of the model with global mean and user/item biases.</summary>
    public const string BiasedVariant = "biased";

    private static readonly HashSet<string> ReservedKeys =
        [FormatKey, FormatVersionKey, VariantKey, FactorsKey, MinRatingKey, MaxRatingKey];

    /// <summary>"seed" or "biased", as written to the file and the manifest.</summary>
    public static string VariantOf(MfModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Biases is null ? SeedVariant : BiasedVariant;
    }

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/>. <paramref name="metadata"/> adds
    /// free-form string entries (e.g. training hyper-parameters); it may not override the reserved keys.
    /// </summary>
    public static void Save(MfModel model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var writer = new SafeTensorsWriter();
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                if (ReservedKeys.Contains(key))
                {
                    throw new ArgumentException($"Metadata key '{key}' is reserved by the factor file.", nameof(metadata));
                }

                writer.AddMetadata(key, value);
            }
        }

        writer.AddMetadata(FormatKey, FormatValue)
            .AddMetadata(FormatVersionKey, "1")
            .AddMetadata(VariantKey, VariantOf(model))
            .AddMetadata(FactorsKey, model.Factors.ToString(CultureInfo.InvariantCulture))
            .AddMetadata(MinRatingKey, model.MinRating.ToString("R", CultureInfo.InvariantCulture))
            .AddMetadata(MaxRatingKey, model.MaxRating.ToString("R", CultureInfo.InvariantCulture))
            .Add(UserFactors, model.UserFactors, model.UserCount, model.Factors)
            .Add(ItemFactors, model.ItemFactors, model.ItemCount, model.Factors);
        if (model.Biases is { } biases)
        {
            writer.Add(GlobalMean, new[] { biases.GlobalMean }, ReadOnlySpan<long>.Empty)
                .Add(UserBias, biases.User, model.UserCount)
                .Add(ItemBias, biases.Item, model.ItemCount);
        }

        writer.Save(path);
    }

    /// <summary>Reads and cross-checks a factor file; any inconsistency is an <see cref="ArtifactFormatException"/>.</summary>
    public static MfModel Load(string path)
    {
        using var reader = SafeTensorsReader.Open(path);
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

        var hasAnyBias = reader.Contains(GlobalMean) || reader.Contains(UserBias) || reader.Contains(ItemBias);
        var hasAllBiases = reader.Contains(GlobalMean) && reader.Contains(UserBias) && reader.Contains(ItemBias);
        if (hasAnyBias && !hasAllBiases)
        {
            throw new ArtifactFormatException(path, $"a biased model needs all of {GlobalMean}, {UserBias} and {ItemBias}");
        }

        if (reader.Metadata.TryGetValue(VariantKey, out var variant))
        {
            var expected = hasAllBiases ? BiasedVariant : SeedVariant;
            if (variant != expected)
            {
                throw new ArtifactFormatException(path, $"metadata says variant '{variant}' but the tensors make it '{expected}'");
            }
        }

        if (reader.Metadata.TryGetValue(FactorsKey, out var factorsText) && factorsText != factors.ToString(CultureInfo.InvariantCulture))
        {
            throw new ArtifactFormatException(path, $"metadata says {factorsText} factors but the tensors hold {factors}");
        }

        var minRating = ReadRating(path, reader, MinRatingKey, 1f);
        var maxRating = ReadRating(path, reader, MaxRatingKey, 5f);
        if (!(minRating <= maxRating))
        {
            throw new ArtifactFormatException(path, $"rating range [{minRating}, {maxRating}] is empty");
        }

        MfBiases? biases = null;
        if (hasAllBiases)
        {
            var mean = reader.GetTensor(GlobalMean);
            if (mean.ElementCount != 1 || mean.Rank > 1)
            {
                throw new ArtifactFormatException(path, $"{GlobalMean} must have shape [] or [1]; got [{string.Join(',', mean.Shape)}]");
            }

            ExpectVector(path, reader.GetTensor(UserBias), userCount);
            ExpectVector(path, reader.GetTensor(ItemBias), itemCount);
            biases = new MfBiases(reader.ReadSingle(GlobalMean)[0], reader.ReadSingle(UserBias), reader.ReadSingle(ItemBias));
        }

        return new MfModel(userCount, itemCount, factors, reader.ReadSingle(UserFactors), reader.ReadSingle(ItemFactors),
            biases, minRating, maxRating);
    }

    private static void ExpectVector(string path, SafeTensorInfo info, int length)
    {
        if (info.Rank != 1 || info.Shape[0] != length)
        {
            throw new ArtifactFormatException(path, $"{info.Name} must have shape [{length}]; got [{string.Join(',', info.Shape)}]");
        }
    }

    private static int CheckedCount(string path, long value, string what) =>
        value <= int.MaxValue
            ? (int)value
            : throw new ArtifactFormatException(path, $"{what} of {value} is too large");

    private static float ReadRating(string path, SafeTensorsReader reader, string key, float fallback)
    {
        if (!reader.Metadata.TryGetValue(key, out var text))
        {
            return fallback;
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
            ? value
            : throw new ArtifactFormatException(path, $"metadata {key} '{text}' is not a finite number");
    }
}
