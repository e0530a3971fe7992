using Recommender.Models.Implicit;
using Recommender.Models.SafeTensors;

namespace Recommender.Models.Tests.Implicit;

public sealed class ImplicitFactorFileTests : IDisposable
{
    private readonly ArtifactTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(null, ImplicitConfidence.Linear)]
    [InlineData(3.5f, ImplicitConfidence.Constant)]
    public void Round_trips_factors_counts_and_solve_parameters_exactly(float? threshold, ImplicitConfidence confidence)
    {
        var model = ImplicitSamples.Model(7, 11, 5, threshold, confidence);
        var path = _dir.File("implicit.safetensors");
        ImplicitFactorFile.Save(model, path, new Dictionary<string, string> { ["epochs"] = "15" });

        var loaded = ImplicitFactorFile.Load(path);
        Assert.Equal(model.UserCount, loaded.UserCount);
        Assert.Equal(model.ItemCount, loaded.ItemCount);
        Assert.Equal(model.Factors, loaded.Factors);
        Assert.Equal(model.UserFactors, loaded.UserFactors);
        Assert.Equal(model.ItemFactors, loaded.ItemFactors);
        Assert.Equal(model.ItemInteractions, loaded.ItemInteractions);
        Assert.Equal(model.Parameters, loaded.Parameters);
        Assert.Equal(model.DefaultRating, loaded.DefaultRating);
        Assert.Equal(model.Score(3, 9), loaded.Score(3, 9));

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal("15", reader.Metadata["epochs"]);
        Assert.Equal(ImplicitFactorFile.FormatValue, reader.Metadata[ImplicitFactorFile.FormatKey]);
        Assert.Equal([7L, 5L], reader.GetTensor(ImplicitFactorFile.UserFactors).Shape);
        Assert.Equal([11L, 5L], reader.GetTensor(ImplicitFactorFile.ItemFactors).Shape);
        Assert.Equal([11L], reader.GetTensor(ImplicitFactorFile.ItemInteractions).Shape);
        Assert.Equal(threshold is not null, reader.Metadata.ContainsKey(ImplicitFactorFile.RatingThresholdKey));
    }

    [Fact]
    public void Reserved_metadata_keys_cannot_be_overridden()
    {
        Assert.Throws<ArgumentException>(() => ImplicitFactorFile.Save(ImplicitSamples.Model(2, 2, 2), _dir.File("x.safetensors"),
            new Dictionary<string, string> { [ImplicitFactorFile.AlphaKey] = "1" }));
    }

    [Fact]
    public void A_truncated_file_is_refused_naming_the_file()
    {
        var path = _dir.File("short.safetensors");
        ImplicitFactorFile.Save(ImplicitSamples.Model(20, 30, 8), path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);

        var e = Assert.Throws<ArtifactFormatException>(() => ImplicitFactorFile.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_is_refused_naming_the_file()
    {
        var path = _dir.File("garbage.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        var e = Assert.Throws<ArtifactFormatException>(() => ImplicitFactorFile.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_mf_factor_file_is_not_taken_for_an_implicit_one()
    {
        var path = _dir.File("mf.safetensors");
        Mf.MfFactorFile.Save(ArtifactSamples.Mf(3, 4, 2, biased: false), path);
        var e = Assert.Throws<ArtifactFormatException>(() => ImplicitFactorFile.Load(path));
        Assert.Contains(ImplicitFactorFile.FormatValue, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inconsistent_shapes_are_refused()
    {
        var mismatched = WriteRaw("factors.safetensors", new float[6], [2, 3], new float[8], [2, 4], new int[2]);
        var e = Assert.Throws<ArtifactFormatException>(() => ImplicitFactorFile.Load(mismatched));
        Assert.Contains("factor count", e.Message, StringComparison.Ordinal);
        Assert.Contains(mismatched, e.Message, StringComparison.Ordinal);

        var counts = WriteRaw("counts.safetensors", new float[6], [2, 3], new float[9], [3, 3], new int[2]);
        e = Assert.Throws<ArtifactFormatException>(() => ImplicitFactorFile.Load(counts));
        Assert.Contains(ImplicitFactorFile.ItemInteractions, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_or_invalid_solve_parameters_are_refused_by_name()
    {
        var missing = WriteRaw("missing.safetensors", new float[6], [2, 3], new float[9], [3, 3], new int[3], omit: ImplicitFactorFile.UnobservedWeightKey);
        var e = Assert.Throws<ArtifactFormatException>(() => ImplicitFactorFile.Load(missing));
        Assert.Contains(ImplicitFactorFile.UnobservedWeightKey, e.Message, StringComparison.Ordinal);

        var negative = WriteRaw("negative.safetensors", new float[6], [2, 3], new float[9], [3, 3], new int[3], regularization: "-1");
        e = Assert.Throws<ArtifactFormatException>(() => ImplicitFactorFile.Load(negative));
        Assert.Contains("Regularization", e.Message, StringComparison.Ordinal);
    }

    private string WriteRaw(string name, float[] users, long[] userShape, float[] items, long[] itemShape, int[] counts,
        string? omit = null, string regularization = "0.5")
    {
        var path = _dir.File(name);
        var metadata = new Dictionary<string, string>
        {
            [ImplicitFactorFile.FormatKey] = ImplicitFactorFile.FormatValue,
            [ImplicitFactorFile.FormatVersionKey] = ImplicitFactorFile.FormatVersion,
            [ImplicitFactorFile.FactorsKey] = userShape[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
            [ImplicitFactorFile.RegularizationKey] = regularization,
            [ImplicitFactorFile.AlphaKey] = "1",
            [ImplicitFactorFile.UnobservedWeightKey] = "0.1",
            [ImplicitFactorFile.RegularizationExponentKey] = "0",
            [ImplicitFactorFile.ConfidenceKey] = ImplicitFactorFile.LinearConfidence,
            [ImplicitFactorFile.DefaultRatingKey] = "4",
        };
        var writer = new SafeTensorsWriter();
        foreach (var (key, value) in metadata)
        {
            if (key != omit)
            {
                writer.AddMetadata(key, value);
            }
        }

        writer.Add(ImplicitFactorFile.UserFactors, users, userShape)
            .Add(ImplicitFactorFile.ItemFactors, items, itemShape)
            .Add(ImplicitFactorFile.ItemInteractions, counts, counts.Length)
            .Save(path);
        return path;
    }
}
