namespace Recommender.Data;

/// <summary>
/// A dataset file does not have the shape its format promises. The message always names the file
/// and, for a bad line, its 1-based line number, so a user can open the file and see the problem
/// instead of training on silently truncated data.
/// </summary>
public sealed class DatasetFormatException : Exception
{
    public DatasetFormatException()
    {
    }

    public DatasetFormatException(string message)
        : base(message)
    {
    }

    public DatasetFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DatasetFormatException(string path, long lineNumber, string problem)
        : base($"{path}:{lineNumber}: {problem}")
    {
        FilePath = path;
        LineNumber = lineNumber;
    }

    /// <summary>The offending file, where one is known.</summary>
    public string? FilePath { get; }

    /// <summary>The 1-based line number, or 0 where the problem is not one line.</summary>
    public long LineNumber { get; }
}
