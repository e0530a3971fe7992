namespace Recommender.Models.SafeTensors;

/// <summary>
/// One tensor's header entry. <see cref="Begin"/> and <see cref="End"/> are byte offsets relative
/// to the start of the data section (the byte after the header), as in the spec.
/// </summary>
public sealed record SafeTensorInfo(string Name, SafeTensorDType DType, IReadOnlyList<long> Shape, long Begin, long End)
{
    /// <summary>Product of the shape; 1 for a scalar (shape []).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in Shape)
            {
                n = checked(n * d);
            }

            return n;
        }
    }

    public long ByteLength => End - Begin;

    public int Rank => Shape.Count;
}
