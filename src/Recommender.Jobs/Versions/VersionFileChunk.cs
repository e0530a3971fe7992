namespace Recommender.Jobs.Versions;

/// <summary>
/// A piece of one file of a version. <see cref="Data"/> is only valid until the enumeration moves
/// on (the reader reuses its buffer).
/// </summary>
public readonly record struct VersionFileChunk(string Path, long Offset, ReadOnlyMemory<byte> Data, bool Last);
