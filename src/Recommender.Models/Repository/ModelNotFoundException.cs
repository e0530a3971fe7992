namespace Recommender.Models.Repository;

/// <summary>
/// The repository has no such model or version. Distinct from <see cref="ArtifactFormatException"/>
/// because callers answer it differently (NOT_FOUND versus a refused, damaged version).
/// </summary>
public sealed class ModelNotFoundException : Exception
{
    public ModelNotFoundException()
        : this("(unknown)", (long?)null)
    {
    }

    public ModelNotFoundException(string message)
        : base(message)
    {
        ModelName = "(unknown)";
    }

    public ModelNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        ModelName = "(unknown)";
    }

    public ModelNotFoundException(string modelName, long? version)
        : base(version is null ? $"Model '{modelName}' has no versions." : $"Model '{modelName}' has no version {version}.")
    {
        ModelName = modelName;
        Version = version;
    }

    public string ModelName { get; }

    /// <summary>The missing version, or null when the model has none at all.</summary>
    public long? Version { get; }
}
