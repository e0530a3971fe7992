namespace Recommender.Jobs;

/// <summary>A dataset folder ready to load; <see cref="Temporary"/> folders are deleted when the job ends.</summary>
public sealed record ResolvedDataset(string Folder, bool Temporary);
