using System.Runtime.InteropServices;

namespace Recommender.Training.Mf;

/// <summary>What the SGD kernel and the error sums read of a packed rating: two rows and the value.</summary>
internal interface IRatingEntry
{
    int User { get; }

    int Item { get; }

    float Value { get; }
}

/// <summary>
/// One training rating packed as 12 bytes over absolute internal rows, so that a range of ratings
/// is a single sequential stream instead of three parallel arrays (evaluation sets, the seed path).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct RatingEntry(int User, int Item, float Value) : IRatingEntry;

/// <summary>
/// A rating inside one block of an <see cref="MfBlockGrid"/>: its rows as offsets from the first
/// row of the block's user group and item group, in 8 bytes instead of 12. At 10 M ratings the
/// grid is then 80 MB instead of 120 MB, which is what keeps training under twice LIBMF's memory;
/// the grid keeps every group at most <see cref="MaxGroupRows"/> rows so the offsets fit.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct GridEntry(ushort User, ushort Item, float Value) : IRatingEntry
{
    public const int MaxGroupRows = ushort.MaxValue + 1;

    int IRatingEntry.User => User;

    int IRatingEntry.Item => Item;
}
