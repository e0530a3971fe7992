namespace Recommender.Data;

/// <summary>
/// A dataset could not be fetched or verified. The message names the URL and says where to unzip
/// the file by hand, because the usual cause is a machine without internet access.
/// </summary>
public sealed class DatasetDownloadException : Exception
{
    public DatasetDownloadException()
    {
    }

    public DatasetDownloadException(string message)
        : base(message)
    {
    }

    public DatasetDownloadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
