using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;

namespace Recommender.Data;

/// <summary>
/// Writes an ml-100k-layout folder (u.data, u.item, u.user, u.info) whose ratings come from a
/// planted latent-factor model (<see cref="PlantedModel"/>) plus Gaussian noise, rounded and
/// clamped to 1-5, with Zipf-like item popularity and heavy-tailed user activity. Because the
/// truth is known, a trained model can be checked against <see cref="SyntheticDatasetSummary.NoiseFloorRmse"/>.
/// <para>
/// Deterministic: every user's ratings come from a stream derived from (seed, user), users are
/// cut into fixed chunks independent of the thread count, and chunks are written in order, so the
/// same options give byte-identical files on any machine and any degree of parallelism.
/// </para>
/// </summary>
public sealed class SyntheticDatasetGenerator
{
    private const ulong RatingStream = 7;

    /// <summary>Ratings per chunk: large enough to amortize scheduling, small enough to bound memory.</summary>
    private const int ChunkRatings = 1 << 17;

    /// <summary>Longest u.data line: 4 numbers of at most 20 characters and 4 separators.</summary>
    private const int MaxLineBytes = 4 * 20 + 4;

    private readonly SyntheticDatasetOptions _options;

    public SyntheticDatasetGenerator(SyntheticDatasetOptions? options = null)
    {
        _options = options ?? new SyntheticDatasetOptions();
        _options.Validate();
    }

    public SyntheticDatasetOptions Options => _options;

    /// <summary>
    /// Creates <paramref name="folder"/> if needed and writes the dataset into it. u.info is
    /// written last, so a folder whose run was interrupted has none.
    /// </summary>
    public SyntheticDatasetSummary Generate(string folder, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(folder);
        var options = _options;
        var model = new PlantedModel(options.Seed, options.Items, options.Factors);
        var activity = SyntheticActivity.Create(options);
        var chunks = CutIntoChunks(activity.RatingsPerUser);

        var parallelism = options.DegreeOfParallelism ?? Environment.ProcessorCount;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        var results = new ChunkResult[chunks.Count];
        using (var output = new FileStream(Path.Combine(folder, MovieLens100KReader.RatingsFile), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            // Waves of chunks are computed in parallel; a wave is written while the next is computed.
            var wave = Math.Max(2, parallelism * 2);
            Task pendingWrite = Task.CompletedTask;
            for (var first = 0; first < chunks.Count; first += wave)
            {
                var last = Math.Min(first + wave, chunks.Count);
                Parallel.For(first, last, parallel, c => results[c] = GenerateChunk(chunks[c], model, activity, options));
                pendingWrite.GetAwaiter().GetResult();
                var from = first;
                pendingWrite = Task.Run(
                    () =>
                    {
                        for (var c = from; c < last; c++)
                        {
                            output.Write(results[c].Buffer, 0, results[c].Length);
                            ArrayPool<byte>.Shared.Return(results[c].Buffer);
                            results[c] = results[c] with { Buffer = [] };
                        }
                    },
                    cancellationToken);
            }

            pendingWrite.GetAwaiter().GetResult();
        }

        SyntheticCatalogWriter.WriteItems(Path.Combine(folder, MovieLens100KReader.MoviesFile), options);
        SyntheticCatalogWriter.WriteUsers(Path.Combine(folder, MovieLens100KReader.UsersFile), options);
        SyntheticCatalogWriter.WriteInfo(Path.Combine(folder, "u.info"), options);

        // Summed in chunk order so the floating-point totals are deterministic too.
        var counts = new long[5];
        double squaredError = 0;
        double sum = 0;
        foreach (var result in results)
        {
            squaredError += result.SquaredError;
            for (var s = 0; s < counts.Length; s++)
            {
                counts[s] += result.Counts[s];
                sum += result.Counts[s] * (s + 1.0);
            }
        }

        return new SyntheticDatasetSummary(
            Path.GetFullPath(folder),
            options.Users,
            options.Items,
            options.Ratings,
            options.Seed,
            sum / options.Ratings,
            Math.Sqrt(squaredError / options.Ratings),
            counts,
            clock.Elapsed);
    }

    private static List<(int FirstUser, int EndUser, int RatingCount)> CutIntoChunks(int[] ratingsPerUser)
    {
        var chunks = new List<(int, int, int)>();
        var start = 0;
        var count = 0;
        for (var u = 0; u < ratingsPerUser.Length; u++)
        {
            count += ratingsPerUser[u];
            if (count >= ChunkRatings || u == ratingsPerUser.Length - 1)
            {
                chunks.Add((start, u + 1, count));
                start = u + 1;
                count = 0;
            }
        }

        return chunks;
    }

    private static ChunkResult GenerateChunk(
        (int FirstUser, int EndUser, int RatingCount) chunk,
        PlantedModel model,
        SyntheticActivity activity,
        SyntheticDatasetOptions options)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(chunk.RatingCount * MaxLineBytes);
        var length = 0;
        var counts = new long[5];
        double squaredError = 0;

        // taken[item] == user + 1 marks items this user already rated: O(1), no per-user clearing.
        var taken = new int[options.Items];
        var userFactors = new float[model.Factors];
        for (var u = chunk.FirstUser; u < chunk.EndUser; u++)
        {
            var rng = StableRandom.ForStream(options.Seed, RatingStream, u);
            var userBias = model.UserParameters(u, userFactors);
            var n = activity.RatingsPerUser[u];

            // Users arrive over the first 80% of the span and rate in a burst of random length,
            // so per-user timestamps increase with exponential gaps, as real sessions do.
            var time = options.StartTimestamp + (long)(rng.NextDouble() * options.TimeSpanSeconds * 0.8);
            var activeSeconds = options.TimeSpanSeconds * 0.2 * -Math.Log(1 - rng.NextDouble());
            var meanGap = Math.Max(1.0, activeSeconds / n);

            var attempts = 0;
            var fallbackRank = 0;
            for (var k = 0; k < n; k++)
            {
                int item;
                while (true)
                {
                    // Rejection sampling by popularity; a very heavy user who has exhausted the
                    // popular items falls back to the next untaken item in popularity order.
                    item = attempts++ < 8 * n + 64 ? activity.SampleItem(ref rng) : activity.ItemByRank[fallbackRank++];
                    if (taken[item] != u + 1)
                    {
                        break;
                    }
                }

                taken[item] = u + 1;
                var score = model.Score(userBias, userFactors, item);
                var noisy = score + options.NoiseStdDev * rng.NextGaussian();
                var stars = (int)Math.Clamp(Math.Round(noisy, MidpointRounding.AwayFromZero), 1, 5);
                var error = Math.Clamp(score, 1, 5) - stars;
                squaredError += error * error;
                counts[stars - 1]++;
                time += 1 + (long)(meanGap * -Math.Log(1 - rng.NextDouble()));

                length += WriteLine(buffer.AsSpan(length), u + 1, item + 1, stars, time);
            }
        }

        return new ChunkResult(buffer, length, counts, squaredError);
    }

    private static int WriteLine(Span<byte> destination, int user, int item, int stars, long time)
    {
        Utf8Formatter.TryFormat(user, destination, out var at);
        destination[at++] = (byte)'\t';
        Utf8Formatter.TryFormat(item, destination[at..], out var written);
        at += written;
        destination[at++] = (byte)'\t';
        destination[at++] = (byte)('0' + stars);
        destination[at++] = (byte)'\t';
        Utf8Formatter.TryFormat(time, destination[at..], out written);
        at += written;
        destination[at++] = (byte)'\n';
        return at;
    }

    private sealed record ChunkResult(byte[] Buffer, int Length, long[] Counts, double SquaredError);
}
