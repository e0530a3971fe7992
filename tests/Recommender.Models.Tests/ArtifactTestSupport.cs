using Recommender.Data;
using Recommender.Models.Artifacts;
using Recommender.Models.Mf;

namespace Recommender.Models.Tests;

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
internal sealed class ArtifactTempDirectory : IDisposable
{
    public ArtifactTempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "recommender-models-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a test.
        }
    }
}

/// <summary>A clock the test sets, so created-at stamps and staleness are deterministic.</summary>
internal sealed class ArtifactTestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

internal static class ArtifactSamples
{
    public static readonly DateTimeOffset Epoch = new(2026, 11, 27, 2, 0, 0, TimeSpan.Zero);

    /// <summary>Deterministic pseudo-random values without a Random instance's version quirks.</summary>
    public static float[] Values(int count, int seed)
    {
        var values = new float[count];
        var state = (uint)(seed * 2654435761u + 1);
        for (var i = 0; i < count; i++)
        {
            state = state * 1664525u + 1013904223u;
            values[i] = ((state >> 8) / (float)(1 << 24)) - 0.5f;
        }

        return values;
    }

    public static MfModel Mf(int users, int items, int factors, bool biased, int seed = 1) =>
        new(users, items, factors, Values(users * factors, seed), Values(items * factors, seed + 1),
            biased ? new MfBiases(3.53f, Values(users, seed + 2), Values(items, seed + 3)) : null, 1f, 5f);

    /// <summary>Id maps with non-trivial external ids (not equal to the dense index).</summary>
    public static IdMaps IdMaps(int users, int items) => new(
        IdMap.FromExternalIds([.. Enumerable.Range(0, users).Select(u => 1000 + (u * 7))]),
        IdMap.FromExternalIds([.. Enumerable.Range(0, items).Select(i => 5 + (i * 3))]));

    public static IndexedRatings Ratings(int users, int items, int count, int seed = 3)
    {
        var noise = Values(count * 2, seed);
        var u = new int[count];
        var i = new int[count];
        var v = new float[count];
        for (var r = 0; r < count; r++)
        {
            u[r] = (int)((noise[2 * r] + 0.5f) * users) % users;
            i[r] = (int)((noise[(2 * r) + 1] + 0.5f) * items) % items;
            v[r] = 1 + (r % 5);
        }

        return new IndexedRatings(u, i, v, users, items);
    }

    public static ItemCatalog Catalog(IdMaps maps, int extra) => new(
        maps.Items.ExternalIds.Concat(Enumerable.Range(0, extra).Select(k => 900_000 + k))
            .Select(id => new Movie(id, $"Movie {id} (1995)", id % 2 == 0 ? ["Action", "Drama"] : ["Comedy"])));
}
