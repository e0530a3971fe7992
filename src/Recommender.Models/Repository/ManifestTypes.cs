namespace Recommender.Models.Repository;

/// <summary>The data a version was trained on: a name (e.g. "ml-100k") and a content fingerprint.</summary>
public sealed record DatasetInfo(string Name, string Fingerprint);

/// <summary>A file of a version with its size in bytes and lower-case hex SHA-256.</summary>
public sealed record ManifestFile(string Name, long Size, string Sha256);
