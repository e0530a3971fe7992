using Recommender.Models.Mf;

namespace Recommender.Serving.Tests;

/// <summary>The panel layout holds every item factor where the kernels read it, and bfloat16 rounds as documented.</summary>
public sealed class ItemPanelsTests
{
    [Theory]
    [InlineData(1f, 0x3F80)]
    [InlineData(-2f, 0xC000)]
    [InlineData(1.00390625f, 0x3F80)] // 1 + 2^-8: exactly halfway, ties to the even 1.0
    [InlineData(1.01171875f, 0x3F82)] // 1 + 3·2^-8: halfway, ties to the even 1 + 2^-6
    [InlineData(1.005859375f, 0x3F81)] // 1 + 1.5·2^-8: above halfway, rounds up
    [InlineData(0f, 0x0000)]
    [InlineData(float.PositiveInfinity, 0x7F80)]
    public void BFloat16_rounds_to_nearest_even(float value, int expected)
    {
        Assert.Equal((ushort)expected, ItemPanels.ToBFloat16(value));
    }

    [Fact]
    public void BFloat16_keeps_every_value_within_its_relative_error_bound()
    {
        var random = new Random(1);
        for (var i = 0; i < 100_000; i++)
        {
            var value = (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-6, 6)));
            var widened = BitConverter.UInt32BitsToSingle((uint)ItemPanels.ToBFloat16(value) << 16);
            Assert.True(Math.Abs(widened - value) <= Math.Abs(value) * ItemPanels.BFloat16RelativeError, $"{value} -> {widened}");
        }
    }

    [Theory]
    [InlineData(PanelPrecision.Float32)]
    [InlineData(PanelPrecision.BFloat16)]
    public unsafe void Each_item_factor_sits_in_its_panel_lane_and_padding_is_zero(PanelPrecision precision)
    {
        const int Items = 37; // two full panels and five items of a third
        const int Factors = 3;
        var itemFactors = Enumerable.Range(0, Items * Factors).Select(i => 1f + i).ToArray();
        var itemBias = Enumerable.Range(0, Items).Select(i => -i / 10f).ToArray();
        var model = new MfModel(1, Items, Factors, [1f, 1f, 1f], itemFactors, new MfBiases(3f, [0f], itemBias));
        var panels = new ItemPanels(model, precision);
        Assert.Equal(3, panels.PanelCount);
        Assert.Equal(3 * ItemPanels.Width, panels.Biases.Length);
        fixed (byte* data = panels.Data)
        {
            for (var item = 0; item < panels.PanelCount * ItemPanels.Width; item++)
            {
                for (var f = 0; f < Factors; f++)
                {
                    var factor = data + ((((item / ItemPanels.Width) * Factors) + f) * panels.BytesPerFactor);
                    var lane = item % ItemPanels.Width;
                    var value = precision == PanelPrecision.Float32
                        ? ((float*)factor)[lane]
                        : BitConverter.UInt32BitsToSingle(lane < 8 ? ((uint*)factor)[lane] << 16 : ((uint*)factor)[lane - 8] & 0xFFFF0000u);
                    var expected = item < Items ? itemFactors[(item * Factors) + f] : 0f;
                    Assert.Equal(expected, value, expected * ItemPanels.BFloat16RelativeError);
                }

                Assert.Equal(item < Items ? itemBias[item] : 0f, panels.Biases[item]);
            }
        }

        Assert.Equal(MathF.Sqrt((109f * 109f) + (110f * 110f) + (111f * 111f)), panels.MaxItemNorm, 1e-3);
        Assert.Equal(3.6f, panels.MaxAbsBias, 1e-6);
    }
}
