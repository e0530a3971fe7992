using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Recommender.Models.Onnx;
using Recommender.Models.Onnx.Proto;

namespace Recommender.Models.Tests;

public sealed class OnnxModelWriterTests
{
    private static readonly Dictionary<string, string> Metadata = new() { [OnnxMetadataKeys.ModelName] = "m" };

    [Fact]
    public void Model_header_is_always_written()
    {
        var model = ModelProto.Parser.ParseFrom(
            NeuralOnnxExporter.Export(OnnxTestSupport.RandomNeural(seed: 21, users: 4, items: 5, dim: 2, 3), Metadata));

        Assert.Equal(8, model.IrVersion);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal(string.Empty, opset.Domain);
        Assert.Equal(17, opset.Version);
        Assert.Equal("Recommender", model.ProducerName);
        Assert.False(string.IsNullOrEmpty(model.ProducerVersion));
        Assert.All(model.Graph.Initializer, tensor => Assert.True(tensor.HasDataType));
        Assert.All(model.Graph.Input, input => Assert.True(input.Type.TensorType.HasElemType));
    }

    [Fact]
    public void Shared_float_initializers_write_the_same_bytes_as_copied_ones_to_a_file()
    {
        var random = new Random(5);
        var factors = Enumerable.Range(0, 3001 * 7).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var copied = new OnnxGraphBuilder("g");
        copied.AddFloatInitializer("f", factors.AsSpan(), 3001, 7);
        var shared = new OnnxGraphBuilder("g");
        shared.AddFloatInitializer("f", factors, 3001, 7);
        var copiedBytes = OnnxModelWriter.ToBytes(OnnxModelWriter.CreateModel(copied.Build(), Metadata));
        var path = Path.Combine(Path.GetTempPath(), $"shared-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxModelWriter.WriteFile(OnnxModelWriter.CreateModel(shared.Build(), Metadata), path);

            Assert.Equal(copiedBytes, File.ReadAllBytes(path));
            var tensor = Assert.Single(ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Initializer);
            Assert.Equal(factors, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Zero_valued_attributes_survive_serialization()
    {
        // Gather axis=0 and ReduceSum keepdims=0 equal the protobuf default; with proto3 implicit
        // presence they would vanish and ReduceSum would silently keep its dimension.
        var model = ModelProto.Parser.ParseFrom(
            MfOnnxExporter.ExportPair(OnnxTestSupport.RandomMf(seed: 22, biased: false, users: 4, items: 5, factors: 2), Metadata));

        var reduce = Assert.Single(model.Graph.Node, node => node.OpType == "ReduceSum");
        var keepdims = Assert.Single(reduce.Attribute);
        Assert.Equal("keepdims", keepdims.Name);
        Assert.True(keepdims.HasI);
        Assert.Equal(0, keepdims.I);
        Assert.Equal(AttributeProto.Types.AttributeType.Int, keepdims.Type);
    }

    [Fact]
    public void Builder_refuses_data_that_does_not_fill_the_shape()
    {
        var graph = new OnnxGraphBuilder("g");
        Assert.Throws<ArgumentException>(() => graph.AddFloatInitializer("w", new float[6], 2, 4));
    }

    [Fact]
    public void Builder_refuses_two_producers_of_one_value()
    {
        var graph = new OnnxGraphBuilder("g");
        graph.AddFloatInitializer("w", new float[2], 2);
        Assert.Throws<InvalidOperationException>(() => graph.AddInt64Initializer("w", [1L], 1));
    }

    [Fact]
    public void Onnx_runtime_rejects_an_initializer_whose_shape_disagrees_with_its_data()
    {
        // Tamper with an exported model behind the builder's back: ORT checks our shapes at load.
        var model = NeuralOnnxExporter.BuildModel(OnnxTestSupport.RandomNeural(seed: 23, users: 4, items: 5, dim: 2, 3), Metadata);
        // One more row than the data holds; Gather's shape inference is happy, the tensor is not.
        model.Graph.Initializer.Single(tensor => tensor.Name == "dense0_user_part").Dims[1] += 1;

        var error = Assert.ThrowsAny<OnnxRuntimeException>(() => OnnxTestSupport.CpuSession(model.ToByteArray()).Dispose());
        Assert.Contains("dense0_user_part", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Onnx_runtime_rejects_a_layer_whose_shape_does_not_chain()
    {
        // Self-consistent tensor, wrong for the graph: the hidden layer gives 3 features, the output layer takes 5.
        var model = NeuralOnnxExporter.BuildModel(OnnxTestSupport.RandomNeural(seed: 24, users: 4, items: 5, dim: 2, 3), Metadata);
        var index = model.Graph.Initializer.ToList().FindIndex(tensor => tensor.Name == "dense1_mlp_weight_t");
        var replacement = new TensorProto
        {
            Name = "dense1_mlp_weight_t",
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(new byte[5 * sizeof(float)]),
        };
        replacement.Dims.Add([1, 5, 1]);
        model.Graph.Initializer[index] = replacement;

        // Refused at load by shape inference, not at the first request.
        var error = Assert.ThrowsAny<OnnxRuntimeException>(() => OnnxTestSupport.CpuSession(model.ToByteArray()).Dispose());
        Assert.Contains("MatMul", error.Message, StringComparison.Ordinal);
    }
}
