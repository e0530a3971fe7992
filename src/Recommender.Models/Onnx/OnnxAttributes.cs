using Recommender.Models.Onnx.Proto;

namespace Recommender.Models.Onnx;

/// <summary>
/// Factories for node attributes. Each sets <see cref="AttributeProto.Type"/> explicitly: the IR
/// requires the discriminator, and ONNX Runtime rejects attributes without it.
/// </summary>
public static class OnnxAttributes
{
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params ReadOnlySpan<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        foreach (var value in values)
        {
            attribute.Ints.Add(value);
        }

        return attribute;
    }
}
