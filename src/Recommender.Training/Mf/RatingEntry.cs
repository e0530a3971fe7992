using System.Runtime.InteropServices;

namespace Recommender.Training.Mf;

/// <summary>
/// One training rating packed as 12 bytes, so that a block of ratings is a single sequential
/// stream for the SGD loop instead of three parallel arrays.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct RatingEntry(int User, int Item, float Value);
