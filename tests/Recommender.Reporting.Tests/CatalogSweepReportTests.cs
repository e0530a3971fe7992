namespace Recommender.Reporting.Tests;

/// <summary>The catalog sweep: one row per Recommend case of each run, ordered by catalog size, and a plot.</summary>
public sealed class CatalogSweepReportTests
{
    [Fact]
    public void Writes_a_row_per_recommend_case_ordered_by_catalog_size_and_a_plot()
    {
        var small = BenchJson.Deserialize(Fixture.Text("bench.json"));
        var large = small with
        {
            Model = small.Model with { Items = 62_000 },
            Cases = [.. small.Cases.Select(c => c with { Latency = c.Latency with { P50Us = c.Latency.P50Us * 10, P99Us = c.Latency.P99Us * 10 } })],
        };
        var directory = Path.Combine(Path.GetTempPath(), "sweep-" + Guid.NewGuid().ToString("N"));
        try
        {
            var written = CatalogSweepReport.Write(directory, [large, small], DateTimeOffset.UnixEpoch);

            var rows = CatalogSweepReport.Rows([small]);
            var recommendCases = small.Cases.Count(c => c.Operation == "recommend" && c.Latency.P50Us > 0);
            Assert.True(recommendCases > 0, "the fixture has Recommend cases");
            Assert.Equal(recommendCases, rows.Count);
            Assert.All(rows, r => Assert.Equal(small.Model.Items, r.Items));

            var markdown = File.ReadAllText(written[0]);
            var tableRows = markdown.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).ToArray();
            Assert.Equal(2 * recommendCases, tableRows.Length);
            // The smaller catalog first.
            Assert.StartsWith("| " + small.Model.Items.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " |", tableRows[0], StringComparison.Ordinal);
            Assert.StartsWith("| 62,000 |", tableRows[^1], StringComparison.Ordinal);
            Assert.True(new FileInfo(written[1]).Length > 1000, "the plot is a real PNG");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Refuses_an_empty_sweep() =>
        Assert.Throws<ArgumentException>(() => CatalogSweepReport.Write(Path.GetTempPath(), [], DateTimeOffset.UnixEpoch));
}
