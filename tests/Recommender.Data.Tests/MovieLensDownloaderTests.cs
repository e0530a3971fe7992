using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Recommender.Data.Tests;

public sealed class MovieLensDownloaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] TinyMl100kZip()
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, string text)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), Encoding.Latin1);
                writer.Write(text);
            }

            Add("ml-100k/u.data", "1\t1\t5\t874965758\n2\t1\t3\t876893171\n");
            Add("ml-100k/u.item", "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n");
            Add("ml-100k/u.info", "2 users\n1 items\n2 ratings\n");
        }

        return memory.ToArray();
    }

    private static string Md5Hex(byte[] bytes)
    {
#pragma warning disable CA5351 // The format under test is MD5.
        return Convert.ToHexStringLower(MD5.HashData(bytes));
#pragma warning restore CA5351
    }

    private static Dictionary<string, byte[]> Served(byte[] zip, string md5Line) => new()
    {
        ["/datasets/ml-100k.zip"] = zip,
        ["/datasets/ml-100k.zip.md5"] = Encoding.ASCII.GetBytes(md5Line),
    };

    private sealed class Recorder : IProgress<DownloadProgress>
    {
        public List<DownloadProgress> Reports { get; } = [];

        public void Report(DownloadProgress value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
        }
    }

    [Fact]
    public async Task Downloads_verifies_extracts_then_uses_the_cache()
    {
        var zip = TinyMl100kZip();
        using var server = new LoopbackHttpServer(Served(zip, $"MD5 (ml-100k.zip) = {Md5Hex(zip)}\n"));
        var cache = Path.Combine(_temp.Path, "cache");
        var downloader = new MovieLensDownloader(new MovieLensDownloaderOptions { BaseUri = server.BaseUri, CacheFolder = cache });
        var progress = new Recorder();

        var folder = await downloader.EnsureAsync("ml-100k", progress);

        Assert.Equal(Path.Combine(cache, "ml-100k"), folder);
        var ds = DatasetLoader.Load(folder);
        Assert.Equal(2, ds.Ratings.Count);
        Assert.Equal("Toy Story (1995)", ds.Movies[0].Title);
        Assert.True(downloader.IsComplete("ml-100k"));

        // Only the dataset folder is left in the cache: no temp files or staging folders.
        Assert.Equal([folder], Directory.GetFileSystemEntries(cache));

        // Progress: ends at the full size, with the total known.
        var last = progress.Reports[^1];
        Assert.Equal(zip.Length, last.BytesReceived);
        Assert.Equal(zip.Length, last.TotalBytes);
        Assert.Equal(1.0, last.Fraction);

        // Second call: complete folder, no network.
        var requests = server.Requests.Count;
        Assert.Equal(folder, await downloader.EnsureAsync("ml-100k"));
        Assert.Equal(requests, server.Requests.Count);
    }

    [Fact]
    public async Task Checksum_mismatch_is_refused_and_nothing_is_extracted()
    {
        var zip = TinyMl100kZip();
        using var server = new LoopbackHttpServer(Served(zip, new string('0', 32) + "  ml-100k.zip\n"));
        var cache = Path.Combine(_temp.Path, "cache");
        var downloader = new MovieLensDownloader(new MovieLensDownloaderOptions { BaseUri = server.BaseUri, CacheFolder = cache });

        var ex = await Assert.ThrowsAsync<DatasetDownloadException>(() => downloader.EnsureAsync("ml-100k"));

        Assert.Contains("Checksum mismatch", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Md5Hex(zip), ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(cache, "ml-100k")));
        Assert.Empty(Directory.GetFileSystemEntries(cache));
    }

    [Fact]
    public async Task Configured_expected_hash_is_checked_too_and_suffices_without_md5_file()
    {
        var zip = TinyMl100kZip();
        var served = Served(zip, $"MD5 (ml-100k.zip) = {Md5Hex(zip)}\n");
        using var server = new LoopbackHttpServer(served);
        var cache = Path.Combine(_temp.Path, "cache");

        var wrong = new MovieLensDownloader(new MovieLensDownloaderOptions
        {
            BaseUri = server.BaseUri,
            CacheFolder = cache,
            ExpectedMd5 = new Dictionary<string, string> { ["ml-100k"] = new string('a', 32) },
        });
        var ex = await Assert.ThrowsAsync<DatasetDownloadException>(() => wrong.EnsureAsync("ml-100k"));
        Assert.Contains("configured expected MD5", ex.Message, StringComparison.Ordinal);

        server.Files.TryRemove("/datasets/ml-100k.zip.md5", out _);
        var unverifiable = new MovieLensDownloader(new MovieLensDownloaderOptions { BaseUri = server.BaseUri, CacheFolder = cache });
        ex = await Assert.ThrowsAsync<DatasetDownloadException>(() => unverifiable.EnsureAsync("ml-100k"));
        Assert.Contains("No checksum", ex.Message, StringComparison.Ordinal);

        var known = new MovieLensDownloader(new MovieLensDownloaderOptions
        {
            BaseUri = server.BaseUri,
            CacheFolder = cache,
            ExpectedMd5 = new Dictionary<string, string> { ["ml-100k"] = Md5Hex(zip).ToUpperInvariant() },
        });
        Assert.True(Directory.Exists(await known.EnsureAsync("ml-100k")));
    }

    [Fact]
    public async Task Unreachable_server_names_the_url_and_the_folder_to_unzip_into()
    {
        var baseUri = new Uri($"http://127.0.0.1:{LoopbackHttpServer.FreePort()}/datasets/");
        var cache = Path.Combine(_temp.Path, "cache");
        var downloader = new MovieLensDownloader(new MovieLensDownloaderOptions { BaseUri = baseUri, CacheFolder = cache });

        var ex = await Assert.ThrowsAsync<DatasetDownloadException>(() => downloader.EnsureAsync("ml-1m"));

        Assert.Contains($"{baseUri}ml-1m.zip", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"unzip it into {cache}", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(cache, "ml-1m")));
    }

    [Fact]
    public async Task A_folder_unzipped_by_hand_is_used_without_network()
    {
        var cache = Path.Combine(_temp.Path, "cache");
        _temp.Write("cache/ml-latest-small/ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n");
        _temp.Write("cache/ml-latest-small/movies.csv", "movieId,title,genres\n1,Toy Story (1995),Animation\n");
        var downloader = new MovieLensDownloader(new MovieLensDownloaderOptions
        {
            BaseUri = new Uri($"http://127.0.0.1:{LoopbackHttpServer.FreePort()}/"),
            CacheFolder = cache,
        });

        Assert.Equal(Path.Combine(cache, "ml-latest-small"), await downloader.EnsureAsync("ml-latest-small"));
        Assert.Throws<ArgumentException>(() => downloader.FolderFor("ml-999"));
    }

    [Fact]
    public void Default_cache_folder_follows_xdg_cache_home()
    {
        var folder = MovieLensDownloaderOptions.DefaultCacheFolder();
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        Assert.Equal(Path.Combine(root, "recommender", "datasets"), folder);
    }
}
