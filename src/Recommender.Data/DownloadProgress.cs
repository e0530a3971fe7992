namespace Recommender.Data;

/// <summary>Bytes of a download received so far, and the total where the server said it.</summary>
public readonly record struct DownloadProgress(string Url, long BytesReceived, long? TotalBytes)
{
    /// <summary>0..1, or null where the total is unknown.</summary>
    public double? Fraction => TotalBytes is > 0 ? (double)BytesReceived / TotalBytes.Value : null;
}
