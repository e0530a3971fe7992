using Recommender.Models.Mf;

namespace Recommender.Serving;

/// <summary>How <see cref="ItemPanels"/> stores the item factors it scores from.</summary>
public enum PanelPrecision
{
    /// <summary>As trained: scores are the model's own, no re-score.</summary>
    Float32,

    /// <summary>
    /// The upper half of each float (bfloat16, rounded to nearest): half the bytes to stream, widened
    /// back by one shift or mask; candidates are re-scored from the float factors.
    /// </summary>
    BFloat16,
}

/// <summary>
/// The item factors of a dot-product model (MF, implicit) re-laid for whole-catalog scoring:
/// panels of <see cref="Width"/> items, each panel factor-major (for factor f, the 16 items'
/// values side by side). A kernel then multiplies one broadcast user value into two vectors of
/// item values per factor, so a panel yields 16 scores with no horizontal sums, and a block of
/// users shares every load. Items past the catalog's end pad the last panel with zeros.
/// Built once per loaded version; the row-major factors stay in the model for pair scoring and
/// the exact re-score.
/// </summary>
public sealed class ItemPanels
{
    /// <summary>Items per panel: two 256-bit vectors of floats.</summary>
    public const int Width = 16;

    /// <summary>bfloat16 keeps 8 significant bits: a rounded value is within 2^-8 of the float, relatively (unit roundoff).</summary>
    public const double BFloat16RelativeError = 1.0 / 256;

    public ItemPanels(MfModel model, PanelPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Precision = precision;
        PanelCount = (model.ItemCount + Width - 1) / Width;
        BytesPerFactor = precision == PanelPrecision.Float32 ? Width * sizeof(float) : Width * sizeof(ushort);
        Data = GC.AllocateUninitializedArray<byte>(checked(PanelCount * model.Factors * BytesPerFactor), pinned: true);
        Biases = new float[PanelCount * Width];
        model.Biases?.Item.CopyTo(Biases, 0);
        Fill();
        MaxItemNorm = MaxNorm(model);
        MaxAbsBias = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(Biases));
    }

    public MfModel Model { get; }

    public PanelPrecision Precision { get; }

    public int PanelCount { get; }

    /// <summary>Bytes of one factor of one panel (64 as floats, 32 as bfloat16).</summary>
    public int BytesPerFactor { get; }

    /// <summary>The panels, back to back (pinned: kernels hold a pointer into it for a whole block).</summary>
    public byte[] Data { get; }

    /// <summary>Item biases padded to whole panels (zero without biases and past the catalog).</summary>
    public float[] Biases { get; }

    /// <summary>The largest Euclidean norm of an item row: with the user's, it bounds a compact score's error.</summary>
    public float MaxItemNorm { get; }

    /// <summary>The largest item bias in magnitude (its float addition's rounding is part of the error bound).</summary>
    public float MaxAbsBias { get; }

    /// <summary>Scores from the panels are the model's float scores (no re-score needed).</summary>
    public bool IsExact => Precision == PanelPrecision.Float32;

    /// <summary>Bytes the panels and padded biases hold.</summary>
    public long Bytes => Data.LongLength + ((long)Biases.Length * sizeof(float));

    private unsafe void Fill()
    {
        var k = Model.Factors;
        var items = Model.ItemFactors;
        fixed (byte* data = Data)
        {
            for (var p = 0; p < PanelCount; p++)
            {
                var panel = data + ((long)p * k * BytesPerFactor);
                for (var f = 0; f < k; f++)
                {
                    if (Precision == PanelPrecision.Float32)
                    {
                        var row = (float*)(panel + ((long)f * BytesPerFactor));
                        for (var lane = 0; lane < Width; lane++)
                        {
                            var item = (p * Width) + lane;
                            row[lane] = item < Model.ItemCount ? items[((long)item * k) + f] : 0f;
                        }
                    }
                    else
                    {
                        // Lane l of the 8 uints: item l in the low half, item 8 + l in the high half, so a
                        // shift left by 16 widens items 0-7 and a mask of the high half items 8-15.
                        var row = (uint*)(panel + ((long)f * BytesPerFactor));
                        for (var lane = 0; lane < Width / 2; lane++)
                        {
                            var low = (p * Width) + lane;
                            var high = low + (Width / 2);
                            var lowBits = low < Model.ItemCount ? ToBFloat16(items[((long)low * k) + f]) : (ushort)0;
                            var highBits = high < Model.ItemCount ? ToBFloat16(items[((long)high * k) + f]) : (ushort)0;
                            row[lane] = lowBits | ((uint)highBits << 16);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The float's upper 16 bits, rounded to nearest even. A finite float within half a step of the
    /// largest float (no factor comes near) is truncated rather than rounded to infinity.
    /// </summary>
    public static ushort ToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        var rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
        return (rounded & 0x7F80u) == 0x7F80u && float.IsFinite(value) ? (ushort)(bits >> 16) : (ushort)rounded;
    }

    private static float MaxNorm(MfModel model)
    {
        var max = 0f;
        for (var i = 0; i < model.ItemCount; i++)
        {
            var row = model.ItemRow(i);
            max = MathF.Max(max, MathF.Sqrt(Models.Implicit.VectorOps.Dot(row, row)));
        }

        return max;
    }
}
