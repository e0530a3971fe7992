namespace Recommender.Data;

/// <summary>Demographics where the dataset has them (ml-100k, ml-1m); null fields where it does not.</summary>
public sealed record UserProfile(int Id, int? Age, string? Gender, string? Occupation, string? ZipCode);
