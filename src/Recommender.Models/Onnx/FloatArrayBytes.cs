using System.Buffers;
using System.Runtime.InteropServices;

namespace Recommender.Models.Onnx;

/// <summary>
/// A float array seen as its bytes, as <see cref="Memory{T}"/>: protobuf's <c>ByteString</c> can
/// then wrap a factor matrix without a byte[] copy of it (at 10 M ratings each MF graph copied
/// 56 MB before it was written). The bytes are the host's, so callers use it on little-endian
/// hosts only and keep the copying path for the others.
/// </summary>
internal sealed class FloatArrayBytes(float[] data) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(data.AsSpan());

    /// <summary>Pins the array; only float boundaries can be pinned (protobuf reads through spans and never pins).</summary>
    public override MemoryHandle Pin(int elementIndex = 0) =>
        elementIndex % sizeof(float) == 0
            ? data.AsMemory(elementIndex / sizeof(float)).Pin()
            : throw new NotSupportedException("Only whole floats of the array can be pinned.");

    /// <summary>Nothing to do: the handle <see cref="Pin"/> returns unpins itself.</summary>
    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
