using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Recommender.Models.Onnx.Proto;

namespace Recommender.Models.Onnx;

/// <summary>
/// Assembles a <see cref="GraphProto"/> from typed inputs/outputs, initializers and nodes, so the
/// exporters read as the computation they describe rather than as protobuf plumbing.
/// It checks what is cheap to check here (data length vs. shape, unique names); operator-level
/// shape checks are left to ONNX Runtime, which verifies the whole graph when it loads it.
/// </summary>
public sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _nodeCount;

    public OnnxGraphBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _graph = new GraphProto { Name = name };
    }

    /// <summary>Declares a graph input and returns its name, for use as a node input.</summary>
    public string AddInput(string name, TensorProto.Types.DataType elementType, params ReadOnlySpan<OnnxDim> shape)
    {
        _graph.Input.Add(ValueInfo(Claim(name), elementType, shape));
        return name;
    }

    /// <summary>Declares a graph output; a node must produce a value of that name.</summary>
    public string AddOutput(string name, TensorProto.Types.DataType elementType, params ReadOnlySpan<OnnxDim> shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _graph.Output.Add(ValueInfo(name, elementType, shape));
        return name;
    }

    /// <summary>
    /// A float32 constant tensor stored as little-endian raw_data: the most compact form, and the
    /// one ONNX Runtime reads without a per-element decode.
    /// </summary>
    public string AddFloatInitializer(string name, ReadOnlySpan<float> data, params ReadOnlySpan<long> dims)
    {
        var tensor = Initializer(name, TensorProto.Types.DataType.Float, data.Length, dims);
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(LittleEndianBytes(data));
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>
    /// As <see cref="AddFloatInitializer(string, ReadOnlySpan{float}, ReadOnlySpan{long})"/>, but the
    /// graph refers to <paramref name="data"/> instead of copying it (on little-endian hosts): a
    /// factor matrix is written straight from the model's array. The array must not change until
    /// the graph is written. The bytes written are the same either way.
    /// </summary>
    public string AddFloatInitializer(string name, float[] data, params ReadOnlySpan<long> dims)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!BitConverter.IsLittleEndian)
        {
            return AddFloatInitializer(name, data.AsSpan(), dims);
        }

        var tensor = Initializer(name, TensorProto.Types.DataType.Float, data.Length, dims);
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(new FloatArrayBytes(data).Memory);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>An int64 constant tensor (axes, shapes, k) stored as little-endian raw_data.</summary>
    public string AddInt64Initializer(string name, ReadOnlySpan<long> data, params ReadOnlySpan<long> dims)
    {
        var tensor = Initializer(name, TensorProto.Types.DataType.Int64, data.Length, dims);
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(LittleEndianBytes(data));
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a node of the default (ai.onnx) domain and returns its first output's name.</summary>
    public string AddNode(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs,
        params ReadOnlySpan<AttributeProto> attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count == 0)
        {
            throw new ArgumentException("A node needs at least one output.", nameof(outputs));
        }

        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_nodeCount++}" };
        node.Input.Add(inputs);
        foreach (var output in outputs)
        {
            node.Output.Add(Claim(output));
        }

        foreach (var attribute in attributes)
        {
            node.Attribute.Add(attribute);
        }

        _graph.Node.Add(node);
        return outputs[0];
    }

    /// <summary>Single-output shorthand for <see cref="AddNode(string, IReadOnlyList{string}, IReadOnlyList{string}, ReadOnlySpan{AttributeProto})"/>.</summary>
    public string AddNode(string opType, IReadOnlyList<string> inputs, string output, params ReadOnlySpan<AttributeProto> attributes) =>
        AddNode(opType, inputs, [output], attributes);

    /// <summary>The graph built so far. The builder should not be used afterwards.</summary>
    public GraphProto Build() => _graph;

    private string Claim(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_names.Add(name))
        {
            // ONNX is SSA: every value has exactly one producer. A duplicate is an exporter bug.
            throw new InvalidOperationException($"The graph already has a value named '{name}'.");
        }

        return name;
    }

    private TensorProto Initializer(string name, TensorProto.Types.DataType type, int length, ReadOnlySpan<long> dims)
    {
        long count = 1;
        foreach (var dim in dims)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dim, nameof(dims));
            count *= dim;
        }

        if (count != length)
        {
            throw new ArgumentException(
                $"Initializer '{name}' holds {length} values but its shape [{string.Join(", ", dims.ToArray())}] needs {count}.",
                nameof(dims));
        }

        var tensor = new TensorProto { Name = Claim(name), DataType = (int)type };
        foreach (var dim in dims)
        {
            tensor.Dims.Add(dim);
        }

        return tensor;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType elementType, ReadOnlySpan<OnnxDim> shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (var dim in shape)
        {
            tensorShape.Dim.Add(dim.Param is { } param
                ? new TensorShapeProto.Types.Dimension { DimParam = param }
                : new TensorShapeProto.Types.Dimension { DimValue = dim.Value ?? 0 });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = tensorShape },
            },
        };
    }

    // ONNX raw_data is little-endian whatever the host; copy directly on little-endian hosts
    // (all we ship on) and byte-swap otherwise.
    // The arrays are fresh and never touched again, so wrapping them without another copy is safe.
    private static byte[] LittleEndianBytes(ReadOnlySpan<float> data)
    {
        var bytes = MemoryMarshal.AsBytes(data).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            for (var i = 0; i < data.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), data[i]);
            }
        }

        return bytes;
    }

    private static byte[] LittleEndianBytes(ReadOnlySpan<long> data)
    {
        var bytes = MemoryMarshal.AsBytes(data).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            for (var i = 0; i < data.Length; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), data[i]);
            }
        }

        return bytes;
    }
}
