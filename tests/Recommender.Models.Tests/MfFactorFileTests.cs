using Recommender.Models.Mf;
using Recommender.Models.SafeTensors;

namespace Recommender.Models.Tests;

public sealed class MfFactorFileTests : IDisposable
{
    private readonly ArtifactTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Round_trips_seed_and_biased_models_exactly(bool biased)
    {
        var model = new MfModel(7, 11, 5, ArtifactSamples.Values(35, 1), ArtifactSamples.Values(55, 2),
            biased ? new MfBiases(3.25f, ArtifactSamples.Values(7, 3), ArtifactSamples.Values(11, 4)) : null, 0.5f, 10f);
        var path = _dir.File("mf.safetensors");
        MfFactorFile.Save(model, path, new Dictionary<string, string> { ["lr"] = "0.01" });

        var loaded = MfFactorFile.Load(path);
        Assert.Equal(model.UserCount, loaded.UserCount);
        Assert.Equal(model.ItemCount, loaded.ItemCount);
        Assert.Equal(model.Factors, loaded.Factors);
        Assert.Equal(model.UserFactors, loaded.UserFactors);
        Assert.Equal(model.ItemFactors, loaded.ItemFactors);
        Assert.Equal(0.5f, loaded.MinRating);
        Assert.Equal(10f, loaded.MaxRating);
        Assert.Equal(biased, loaded.Biases is not null);
        if (biased)
        {
            Assert.Equal(model.Biases!.GlobalMean, loaded.Biases!.GlobalMean);
            Assert.Equal(model.Biases.User, loaded.Biases.User);
            Assert.Equal(model.Biases.Item, loaded.Biases.Item);
        }

        Assert.Equal(model.Predict(3, 9), loaded.Predict(3, 9));

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal(biased ? "biased" : "seed", reader.Metadata[MfFactorFile.VariantKey]);
        Assert.Equal("0.01", reader.Metadata["lr"]);
        Assert.Equal([7L, 5L], reader.GetTensor(MfFactorFile.UserFactors).Shape);
        Assert.Equal([11L, 5L], reader.GetTensor(MfFactorFile.ItemFactors).Shape);
        Assert.Equal(biased, reader.Contains(MfFactorFile.GlobalMean));
    }

    [Fact]
    public void Ml100k_shaped_file_is_the_header_plus_the_raw_payload_and_nothing_else()
    {
        var path = _dir.File("mf.safetensors");
        MfFactorFile.Save(ArtifactSamples.Mf(943, 1682, 100, biased: true), path);
        using var reader = SafeTensorsReader.Open(path);
        const long payload = ((943 + 1682) * 100 * 4) + ((943 + 1682) * 4) + 4;
        Assert.Equal(reader.DataOffset + payload, new FileInfo(path).Length);
        Assert.InRange(reader.DataOffset, 8, 1024);
    }

    [Fact]
    public void Reserved_metadata_keys_cannot_be_overridden()
    {
        var model = ArtifactSamples.Mf(2, 2, 2, biased: false);
        Assert.Throws<ArgumentException>(() => MfFactorFile.Save(model, _dir.File("x.safetensors"),
            new Dictionary<string, string> { [MfFactorFile.VariantKey] = "biased" }));
    }

    [Fact]
    public void Mismatched_factor_counts_are_refused()
    {
        var path = _dir.File("bad.safetensors");
        new SafeTensorsWriter()
            .Add(MfFactorFile.UserFactors, new float[6], 2, 3)
            .Add(MfFactorFile.ItemFactors, new float[8], 2, 4)
            .Save(path);
        var e = Assert.Throws<ArtifactFormatException>(() => MfFactorFile.Load(path));
        Assert.Contains("factor count", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bias_vector_of_the_wrong_length_is_refused()
    {
        var path = _dir.File("bad.safetensors");
        new SafeTensorsWriter()
            .Add(MfFactorFile.UserFactors, new float[6], 2, 3)
            .Add(MfFactorFile.ItemFactors, new float[9], 3, 3)
            .Add(MfFactorFile.GlobalMean, new[] { 3f }, ReadOnlySpan<long>.Empty)
            .Add(MfFactorFile.UserBias, new float[2], 2)
            .Add(MfFactorFile.ItemBias, new float[2], 2)
            .Save(path);
        var e = Assert.Throws<ArtifactFormatException>(() => MfFactorFile.Load(path));
        Assert.Contains(MfFactorFile.ItemBias, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Partial_biases_and_lying_variant_are_refused()
    {
        var partial = _dir.File("partial.safetensors");
        new SafeTensorsWriter()
            .Add(MfFactorFile.UserFactors, new float[6], 2, 3)
            .Add(MfFactorFile.ItemFactors, new float[9], 3, 3)
            .Add(MfFactorFile.UserBias, new float[2], 2)
            .Save(partial);
        Assert.Throws<ArtifactFormatException>(() => MfFactorFile.Load(partial));

        var lying = _dir.File("lying.safetensors");
        new SafeTensorsWriter()
            .AddMetadata(MfFactorFile.VariantKey, MfFactorFile.BiasedVariant)
            .Add(MfFactorFile.UserFactors, new float[6], 2, 3)
            .Add(MfFactorFile.ItemFactors, new float[9], 3, 3)
            .Save(lying);
        var e = Assert.Throws<ArtifactFormatException>(() => MfFactorFile.Load(lying));
        Assert.Contains("variant", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_metadata_as_python_might_write_loads_with_defaults()
    {
        var path = _dir.File("py.safetensors");
        new SafeTensorsWriter()
            .Add(MfFactorFile.UserFactors, ArtifactSamples.Values(6, 1), 2, 3)
            .Add(MfFactorFile.ItemFactors, ArtifactSamples.Values(9, 2), 3, 3)
            .Add(MfFactorFile.GlobalMean, new[] { 3.5f }, 1)
            .Add(MfFactorFile.UserBias, new float[2], 2)
            .Add(MfFactorFile.ItemBias, new float[3], 3)
            .Save(path);
        var model = MfFactorFile.Load(path);
        Assert.Equal(3.5f, model.Biases!.GlobalMean);
        Assert.Equal(1f, model.MinRating);
        Assert.Equal(5f, model.MaxRating);
    }

    [Fact]
    public void Truncated_factor_file_is_refused()
    {
        var path = _dir.File("mf.safetensors");
        MfFactorFile.Save(ArtifactSamples.Mf(20, 30, 8, biased: true), path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]);
        var e = Assert.Throws<ArtifactFormatException>(() => MfFactorFile.Load(path));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }
}
