namespace Recommender.Models.Onnx;

/// <summary>
/// One dimension of a graph input or output: a fixed size, or a symbolic one such as the batch
/// dimension "N". Symbolic dimensions let one session serve every batch size without re-loading.
/// </summary>
public readonly record struct OnnxDim
{
    private OnnxDim(long? value, string? param)
    {
        Value = value;
        Param = param;
    }

    /// <summary>The symbolic batch dimension every exported graph uses.</summary>
    public static OnnxDim Batch { get; } = Symbolic("N");

    /// <summary>The fixed size, or null for a symbolic dimension.</summary>
    public long? Value { get; }

    /// <summary>The symbolic name, or null for a fixed dimension.</summary>
    public string? Param { get; }

    public static OnnxDim Fixed(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return new OnnxDim(value, null);
    }

    public static OnnxDim Symbolic(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new OnnxDim(null, name);
    }
}
