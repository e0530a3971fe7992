using System.Buffers.Binary;

namespace Recommender.Reporting.Tests;

public sealed class ReportWriterTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly string _directory = Directory.CreateTempSubdirectory("report-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Writes_markdown_with_every_section_and_valid_pngs()
    {
        var training = TrainingRun.Parse(Fixture.Text("metrics.json"));
        var bench = BenchJson.Deserialize(Fixture.Text("bench.json"));

        var written = ReportWriter.Write(_directory, training, bench, new DateTimeOffset(2026, 1, 2, 3, 4, 0, TimeSpan.Zero));

        var report = File.ReadAllText(Path.Combine(_directory, "report.md"));
        Assert.Equal(Path.Combine(_directory, "report.md"), written[0]);
        Assert.Contains("## Training", report, StringComparison.Ordinal);
        Assert.Contains("| 3 | 0.8100 | 0.9301 | - | - |", report, StringComparison.Ordinal);
        Assert.Contains("| mf.rmse | 0.9101 |", report, StringComparison.Ordinal);
        Assert.Contains("Not comparable one to one", report, StringComparison.Ordinal);
        Assert.Contains("| seed notebook | MF (SGD) | train MSE at epoch 20 | 0.7613 |", report, StringComparison.Ordinal);
        Assert.Contains("| LIBMF | MF | RMSE | 0.919–0.921 |", report, StringComparison.Ordinal);
        Assert.Contains("| Surprise | SVD | RMSE | 0.934 |", report, StringComparison.Ordinal);
        Assert.Contains("load average 0.50 at start, 1.25 at end", report, StringComparison.Ordinal);
        Assert.Contains("| Recommend top-10 mf c=8: p99 ≤ 2 ms | p99 1.90 ms | met |", report, StringComparison.Ordinal);
        Assert.Contains("| Recommend top-10 neural c=8: p99 ≤ 2 ms | p99 8.00 ms | MISSED |", report, StringComparison.Ordinal);
        Assert.Contains("| predict neural b1 |  | 8 | 1 | 8,000 | 7990 | 7990 | 500 µs | 800 µs | 1.50 ms | NotFound 10 |", report, StringComparison.Ordinal);
        Assert.Contains("| predict neural b1024 | scorer | 1,000 | 1000 | 1.02 M | 95 µs | 140 µs |", report, StringComparison.Ordinal);

        string[] plots = ["training-mf.png", "training-neural.png", "latency-p50-vs-concurrency.png", "latency-p99-vs-concurrency.png", "throughput-vs-concurrency.png", "batching.png"];
        foreach (var plot in plots)
        {
            Assert.Contains($"]({plot})", report, StringComparison.Ordinal);
            var bytes = File.ReadAllBytes(Path.Combine(_directory, plot));
            Assert.Equal(PngSignature, bytes[..8]);
            // IHDR is the first chunk: width and height as big-endian int32 at bytes 16..23.
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
            Assert.Equal((800, 450), (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))));
            Assert.InRange(bytes.Length, 5_000, 2_000_000);
        }

        Assert.Equal(plots.Length + 1, written.Count);
    }

    [Fact]
    public void Without_bench_results_the_report_has_training_and_accuracy_only()
    {
        var written = ReportWriter.Write(_directory, TrainingRun.Parse(Fixture.Text("metrics.json")), null, DateTimeOffset.UnixEpoch);

        var report = File.ReadAllText(written[0]);
        Assert.DoesNotContain("## Serving", report, StringComparison.Ordinal);
        Assert.Contains("## Accuracy against published MovieLens figures", report, StringComparison.Ordinal);
        Assert.Equal(["report.md", "training-mf.png", "training-neural.png"], written.Select(Path.GetFileName));
    }
}
