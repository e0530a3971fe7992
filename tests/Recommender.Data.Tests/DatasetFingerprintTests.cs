namespace Recommender.Data.Tests;

public sealed class DatasetFingerprintTests
{
    private static RatingTable Table(float firstValue) => new([1, 2], [3, 4], [firstValue, 4], [10, 20]);

    [Fact]
    public void Fingerprint_is_stable_hex_and_sensitive_to_every_column()
    {
        var fp = DatasetFingerprint.Compute(Table(5));

        Assert.Matches("^[0-9a-f]{64}$", fp);
        Assert.Equal(fp, DatasetFingerprint.Compute(Table(5)));
        Assert.NotEqual(fp, DatasetFingerprint.Compute(Table(4.5f)));
        Assert.NotEqual(fp, DatasetFingerprint.Compute(new RatingTable([1, 2], [3, 4], [5, 4], [10, 21])));
        Assert.NotEqual(fp, DatasetFingerprint.Compute(new RatingTable([2, 1], [3, 4], [5, 4], [10, 20])));
        Assert.NotEqual(fp, DatasetFingerprint.Compute(new RatingTable([1, 2], [4, 3], [5, 4], [10, 20])));

        // Pinned (computed independently with Python's struct + hashlib over the documented
        // layout): manifests depend on this value never changing.
        Assert.Equal(PinnedFingerprint, fp);
    }

    private const string PinnedFingerprint = "05ef427e2efde24b215e8b265038d27081216340340b39f87ae1a8069ed61893";
}
