using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Recommender.Data;

/// <summary>
/// Fetches a MovieLens zip from GroupLens into a local cache and unzips it, once. The zip is
/// checked against the .md5 GroupLens publishes beside it (and against a known hash if given)
/// before anything is extracted; it is downloaded to a temporary file and unzipped into a
/// temporary folder that is renamed into place, so an interrupted run never leaves a folder that
/// looks complete.
/// </summary>
public sealed partial class MovieLensDownloader
{
    /// <summary>The datasets GroupLens publishes under the name we use for the folder.</summary>
    public static IReadOnlyList<string> KnownDatasets { get; } = ["ml-100k", "ml-1m", "ml-latest-small", "ml-25m"];

    private static readonly HttpClient SharedClient = new() { Timeout = TimeSpan.FromMinutes(30) };

    private readonly HttpClient _http;
    private readonly MovieLensDownloaderOptions _options;

    /// <param name="options">Base URL and cache folder; defaults to GroupLens and the user cache.</param>
    /// <param name="httpClient">Client to use; a shared one by default (the recommended HttpClient pattern).</param>
    public MovieLensDownloader(MovieLensDownloaderOptions? options = null, HttpClient? httpClient = null)
    {
        _options = options ?? new MovieLensDownloaderOptions();
        _http = httpClient ?? SharedClient;
    }

    public MovieLensDownloaderOptions Options => _options;

    /// <summary>The folder <paramref name="name"/> is (or will be) unzipped to.</summary>
    public string FolderFor(string name)
    {
        CheckName(name);
        return Path.Combine(_options.CacheFolder, name);
    }

    /// <summary>True where the folder exists and holds a loadable dataset (downloaded or unzipped by hand).</summary>
    public bool IsComplete(string name)
    {
        var folder = FolderFor(name);
        if (!Directory.Exists(folder))
        {
            return false;
        }

        try
        {
            DatasetLoader.DetectFormat(folder);
            return true;
        }
        catch (DatasetFormatException)
        {
            return false;
        }
    }

    /// <summary>Returns the dataset's folder, downloading and unzipping it first unless it is already complete.</summary>
    /// <exception cref="DatasetDownloadException">Unreachable server, HTTP error, checksum mismatch or a bad zip.</exception>
    public async Task<string> EnsureAsync(string name, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var folder = FolderFor(name);
        if (IsComplete(name))
        {
            return folder;
        }

        Directory.CreateDirectory(_options.CacheFolder);
        var zipUrl = new Uri(_options.BaseUri, name + ".zip");
        var md5Url = new Uri(_options.BaseUri, name + ".zip.md5");
        var partial = Path.Combine(_options.CacheFolder, $".{name}.{Guid.NewGuid():N}.zip.partial");
        var staging = Path.Combine(_options.CacheFolder, $".{name}.{Guid.NewGuid():N}.extracting");
        try
        {
            var published = await FetchPublishedMd5Async(md5Url, zipUrl, cancellationToken).ConfigureAwait(false);
            _options.ExpectedMd5.TryGetValue(name, out var known);
            if (published is null && known is null)
            {
                throw new DatasetDownloadException(
                    $"No checksum for {zipUrl}: {md5Url} was not found and no expected MD5 was configured; refusing an unverified download. {ManualHint(zipUrl)}");
            }

            var actual = await DownloadAsync(zipUrl, partial, progress, cancellationToken).ConfigureAwait(false);
            foreach (var (expected, source) in new[] { (published, md5Url.ToString()), (known, "the configured expected MD5") })
            {
                if (expected is not null && !string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
                {
                    throw new DatasetDownloadException(
                        $"Checksum mismatch for {zipUrl}: MD5 is {actual} but {source} says {expected}. The download is corrupt or was tampered with; it was deleted.");
                }
            }

            Extract(partial, staging, zipUrl);
            var root = DatasetRoot(staging);
            if (Directory.Exists(folder))
            {
                // An incomplete leftover (IsComplete was false): replace it.
                Directory.Delete(folder, recursive: true);
            }

            try
            {
                Directory.Move(root, folder);
            }
            catch (IOException) when (IsComplete(name))
            {
                // Another process finished the same download first; its copy is as good as ours.
                return folder;
            }
            if (!IsComplete(name))
            {
                throw new DatasetDownloadException($"{zipUrl} unzipped into {folder} but holds no MovieLens dataset.");
            }

            return folder;
        }
        finally
        {
            TryDelete(partial);
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!KnownDatasets.Contains(name))
        {
            throw new ArgumentException($"Unknown dataset \"{name}\"; known: {string.Join(", ", KnownDatasets)}.", nameof(name));
        }
    }

    /// <summary>GroupLens .md5 files read "MD5 (ml-100k.zip) = &lt;hex&gt;"; accept any line holding one 32-hex token.</summary>
    [GeneratedRegex("\\b[0-9a-fA-F]{32}\\b")]
    private static partial Regex Md5Token();

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a stray temp file in the cache is harmless.
        }
    }

    /// <summary>Zips hold one top folder (ml-100k/...); use it, or the staging folder where files sit at the top.</summary>
    private static string DatasetRoot(string staging)
    {
        var dirs = Directory.GetDirectories(staging);
        return dirs.Length == 1 && Directory.GetFiles(staging).Length == 0 ? dirs[0] : staging;
    }

    private static void Extract(string zipPath, string staging, Uri zipUrl)
    {
        try
        {
            // ExtractToDirectory refuses entries that would land outside the folder ("zip slip").
            System.IO.Compression.ZipFile.ExtractToDirectory(zipPath, staging);
        }
        catch (InvalidDataException ex)
        {
            throw new DatasetDownloadException($"{zipUrl} is not a valid zip file: {ex.Message}", ex);
        }
    }

    private string ManualHint(Uri zipUrl) =>
        $"Without network access, download {zipUrl} elsewhere and unzip it into {_options.CacheFolder} (so that {_options.CacheFolder}{Path.DirectorySeparatorChar}<dataset>{Path.DirectorySeparatorChar} holds u.data or ratings.*), or load a dataset folder directly.";

    private DatasetDownloadException Unreachable(Uri url, Uri zipUrl, Exception inner) =>
        new($"Could not download {url}: {inner.Message} {ManualHint(zipUrl)}", inner);

    /// <returns>The published MD5, or null where the server has no .md5 file (404).</returns>
    private async Task<string?> FetchPublishedMd5Async(Uri md5Url, Uri zipUrl, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(md5Url, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new DatasetDownloadException($"Could not download {md5Url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}. {ManualHint(zipUrl)}");
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var match = Md5Token().Match(text);
            return match.Success
                ? match.Value.ToLowerInvariant()
                : throw new DatasetDownloadException($"{md5Url} holds no MD5 checksum.");
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(md5Url, zipUrl, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(md5Url, zipUrl, ex);
        }
    }

    /// <summary>Streams the zip to <paramref name="path"/>, hashing as it goes; returns the lower-case hex MD5.</summary>
    private async Task<string> DownloadAsync(Uri url, string path, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new DatasetDownloadException($"Could not download {url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}. {ManualHint(url)}");
            }

            var total = response.Content.Headers.ContentLength;
#pragma warning disable CA5351 // MD5 is what GroupLens publishes: an integrity check against corruption, not a security boundary.
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
            var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await using (target.ConfigureAwait(false))
                {
                    var buffer = new byte[1 << 16];
                    long received = 0;
                    progress?.Report(new DownloadProgress(url.ToString(), 0, total));
                    int read;
                    while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        md5.AppendData(buffer, 0, read);
                        await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        received += read;
                        progress?.Report(new DownloadProgress(url.ToString(), received, total));
                    }

                    if (total is not null && received != total)
                    {
                        throw new DatasetDownloadException($"Download of {url} ended after {received} of {total} bytes. {ManualHint(url)}");
                    }
                }
            }

            return Convert.ToHexStringLower(md5.GetHashAndReset());
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(url, url, ex);
        }
        catch (IOException ex) when (ex.InnerException is System.Net.Sockets.SocketException or HttpRequestException)
        {
            throw Unreachable(url, url, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(url, url, ex);
        }
    }
}
