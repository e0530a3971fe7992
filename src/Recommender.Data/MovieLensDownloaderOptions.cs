namespace Recommender.Data;

/// <summary>Where <see cref="MovieLensDownloader"/> fetches from and caches to.</summary>
public sealed record MovieLensDownloaderOptions
{
    public static Uri DefaultBaseUri { get; } = new("https://files.grouplens.org/datasets/movielens/");

    /// <summary>Folder URL holding &lt;name&gt;.zip and &lt;name&gt;.zip.md5; tests point it at loopback.</summary>
    public Uri BaseUri { get; init; } = DefaultBaseUri;

    /// <summary>Where datasets are unzipped; default $XDG_CACHE_HOME (or ~/.cache) + recommender/datasets.</summary>
    public string CacheFolder { get; init; } = DefaultCacheFolder();

    /// <summary>
    /// Known MD5s (lower-case hex) by dataset name. Checked in addition to the published .md5 file,
    /// and enough on its own where that file cannot be fetched.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExpectedMd5 { get; init; } = new Dictionary<string, string>();

    public static string DefaultCacheFolder()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "recommender", "datasets");
    }
}
