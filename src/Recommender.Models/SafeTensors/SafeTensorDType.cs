namespace Recommender.Models.SafeTensors;

/// <summary>
/// Element types of the safetensors format; the names are the spec's header strings. The declaration
/// order is the reference implementation's (Rust <c>Dtype</c>), because writers sort tensors by it
/// (descending) and we want byte-identical files to Python's <c>save_file</c>.
/// </summary>
public enum SafeTensorDType
{
    Bool,
    U8,
    I8,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    F64,
    I64,
    U64,
}

/// <summary>Header names and element sizes of <see cref="SafeTensorDType"/>.</summary>
public static class SafeTensorDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.Bool or SafeTensorDType.U8 or SafeTensorDType.I8 => 1,
        SafeTensorDType.I16 or SafeTensorDType.U16 or SafeTensorDType.F16 or SafeTensorDType.BF16 => 2,
        SafeTensorDType.I32 or SafeTensorDType.U32 or SafeTensorDType.F32 => 4,
        SafeTensorDType.I64 or SafeTensorDType.U64 or SafeTensorDType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>The header string (e.g. "F32"), exactly as Python's safetensors writes it.</summary>
    public static string HeaderName(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.Bool => "BOOL",
        _ => dtype.ToString(),
    };

    /// <summary>Parses a header dtype string; case-sensitive, as the reference implementation is.</summary>
    public static bool TryParse(string name, out SafeTensorDType dtype)
    {
        dtype = name switch
        {
            "BOOL" => SafeTensorDType.Bool,
            "U8" => SafeTensorDType.U8,
            "I8" => SafeTensorDType.I8,
            "I16" => SafeTensorDType.I16,
            "U16" => SafeTensorDType.U16,
            "F16" => SafeTensorDType.F16,
            "BF16" => SafeTensorDType.BF16,
            "I32" => SafeTensorDType.I32,
            "U32" => SafeTensorDType.U32,
            "F32" => SafeTensorDType.F32,
            "I64" => SafeTensorDType.I64,
            "U64" => SafeTensorDType.U64,
            "F64" => SafeTensorDType.F64,
            _ => (SafeTensorDType)(-1),
        };
        return (int)dtype >= 0;
    }
}
