using Microsoft.Extensions.Options;
using Recommender.Data;

namespace Recommender.Jobs;

/// <summary>
/// Turns a request's dataset reference into a folder on disk. Folders are confined to the data root:
/// relative only, no "..", and the real path (every symbolic link resolved, the folder's own files
/// included) must stay under the data root's real path. MovieLens names are downloaded once into
/// &lt;DataRoot&gt;/movielens; synthetic datasets are generated into a per-job folder that is
/// deleted when the job ends.
/// </summary>
public sealed class DatasetResolver
{
    public const string MovieLensFolder = "movielens";

    private readonly JobOptions _options;
    private readonly string _dataRoot;

    public DatasetResolver(IOptions<JobOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        Directory.CreateDirectory(_options.DataRoot);
        _dataRoot = RealPath.Resolve(_options.DataRoot);
    }

    /// <summary>Checks the reference without touching the network or generating anything.</summary>
    public void Check(DatasetReference? reference)
    {
        var set = reference is null ? 0 : (reference.Folder is null ? 0 : 1) + (reference.MovieLens is null ? 0 : 1) + (reference.Synthetic is null ? 0 : 1);
        if (set != 1)
        {
            throw new InvalidJobRequestException("dataset", "set exactly one of folder, movielens and synthetic.");
        }

        if (reference!.Folder is { } folder)
        {
            ConfinedFolder(folder);
        }
        else if (reference.MovieLens is { } name)
        {
            if (!MovieLensDownloader.KnownDatasets.Contains(name))
            {
                throw new InvalidJobRequestException("dataset.movielens", $"unknown dataset '{name}'; known: {string.Join(", ", MovieLensDownloader.KnownDatasets)}.");
            }
        }
        else
        {
            _ = SyntheticOptions(reference.Synthetic!);
        }
    }

    /// <summary>Makes the dataset available for job <paramref name="jobId"/>; may download or generate.</summary>
    public async Task<ResolvedDataset> ResolveAsync(string jobId, DatasetReference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        Check(reference);
        if (reference.Folder is { } folder)
        {
            return new ResolvedDataset(ConfinedFolder(folder), Temporary: false);
        }

        if (reference.MovieLens is { } name)
        {
            var downloader = new MovieLensDownloader(new MovieLensDownloaderOptions
            {
                CacheFolder = Path.Combine(_options.DataRoot, MovieLensFolder),
                BaseUri = _options.MovieLensBaseUri ?? MovieLensDownloaderOptions.DefaultBaseUri,
            });
            return new ResolvedDataset(await downloader.EnsureAsync(name, null, cancellationToken).ConfigureAwait(false), Temporary: false);
        }

        var target = Path.Combine(_options.ResolvedJobsPath, "datasets", jobId);
        var generator = new SyntheticDatasetGenerator(SyntheticOptions(reference.Synthetic!));
        try
        {
            await Task.Run(() => generator.Generate(target, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Delete(new ResolvedDataset(target, Temporary: true));
            throw;
        }

        return new ResolvedDataset(target, Temporary: true);
    }

    /// <summary>Removes a temporary dataset; harmless for others.</summary>
    public static void Delete(ResolvedDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Temporary && Directory.Exists(dataset.Folder))
        {
            Directory.Delete(dataset.Folder, recursive: true);
        }
    }

    private string ConfinedFolder(string folder)
    {
        const string Field = "dataset.folder";
        if (string.IsNullOrWhiteSpace(folder) || folder.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidJobRequestException(Field, "is empty or holds a NUL character.");
        }

        if (Path.IsPathRooted(folder))
        {
            throw new InvalidJobRequestException(Field, $"'{folder}' is absolute; give a path relative to the data root.");
        }

        if (folder.Split('/', '\\').Any(segment => segment == ".."))
        {
            throw new InvalidJobRequestException(Field, $"'{folder}' contains '..'; paths must stay under the data root.");
        }

        var full = Path.GetFullPath(Path.Combine(_dataRoot, folder));
        if (!Directory.Exists(full))
        {
            throw new InvalidJobRequestException(Field, $"'{folder}' does not exist under the data root.");
        }

        string real;
        try
        {
            real = RealPath.Resolve(full);
        }
        catch (IOException ex)
        {
            throw new InvalidJobRequestException(Field, $"'{folder}' cannot be resolved: {ex.Message}");
        }

        if (!RealPath.IsUnder(real, _dataRoot))
        {
            throw new InvalidJobRequestException(Field, $"'{folder}' leads outside the data root through a symbolic link.");
        }

        // The loader opens the folder's files by name: a linked file must not lead outside either.
        foreach (var entry in new DirectoryInfo(real).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null && !RealPath.IsUnder(RealPath.Resolve(entry.FullName), _dataRoot))
            {
                throw new InvalidJobRequestException(Field, $"'{folder}/{entry.Name}' links outside the data root.");
            }
        }

        return real;
    }

    private SyntheticDatasetOptions SyntheticOptions(SyntheticSpec spec)
    {
        if (spec.Users <= 0 || spec.Users > _options.MaxSyntheticUsers)
        {
            throw new InvalidJobRequestException("dataset.synthetic.users", $"{spec.Users} is not in 1..{_options.MaxSyntheticUsers}.");
        }

        if (spec.Items <= 0 || spec.Items > _options.MaxSyntheticItems)
        {
            throw new InvalidJobRequestException("dataset.synthetic.items", $"{spec.Items} is not in 1..{_options.MaxSyntheticItems}.");
        }

        if (spec.Ratings <= 0)
        {
            throw new InvalidJobRequestException("dataset.synthetic.ratings", $"{spec.Ratings} is not positive.");
        }

        if (spec.Ratings > _options.MaxSyntheticRatings)
        {
            throw new InvalidJobRequestException("dataset.synthetic.ratings", $"{spec.Ratings} exceeds the limit of {_options.MaxSyntheticRatings}.");
        }

        if (spec.Ratings > (long)spec.Users * spec.Items / 2)
        {
            throw new InvalidJobRequestException("dataset.synthetic.ratings", $"{spec.Ratings} is more than half of users x items ({(long)spec.Users * spec.Items}).");
        }

        return new SyntheticDatasetOptions { Users = spec.Users, Items = spec.Items, Ratings = (int)spec.Ratings, Seed = spec.Seed };
    }
}
