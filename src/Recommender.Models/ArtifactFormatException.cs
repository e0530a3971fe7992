namespace Recommender.Models;

/// <summary>
/// An artifact on disk is missing, truncated, corrupt or inconsistent with its siblings.
/// Always names the file, so an operator reading a refused-version log line knows which file to
/// look at without re-running anything.
/// </summary>
public sealed class ArtifactFormatException : Exception
{
    public ArtifactFormatException()
        : this("(unknown file)", "invalid artifact")
    {
    }

    public ArtifactFormatException(string message)
        : this("(unknown file)", message)
    {
    }

    public ArtifactFormatException(string message, Exception innerException)
        : this("(unknown file)", message, innerException)
    {
    }

    public ArtifactFormatException(string filePath, string problem, Exception? innerException = null)
        : base($"Artifact '{filePath}' is invalid: {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file that failed validation (as given to the reader, usually absolute).</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
