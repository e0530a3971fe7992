using ScottPlot;

namespace Recommender.Reporting;

/// <summary>Renders the report's PNG plots with ScottPlot (headless, SkiaSharp).</summary>
internal static class ReportPlots
{
    private const int Width = 800;
    private const int Height = 450;

    /// <summary>Train MSE and validation RMSE per epoch of one model.</summary>
    public static void TrainingCurves(string path, string title, IReadOnlyList<EpochPoint> epochs)
    {
        var plot = new Plot();
        var x = epochs.Select(e => (double)e.Epoch).ToArray();
        var train = plot.Add.Scatter(x, epochs.Select(e => e.TrainMse).ToArray());
        train.LegendText = "train MSE";
        var validated = epochs.Where(e => e.ValidationRmse is not null).ToArray();
        if (validated.Length > 0)
        {
            var validation = plot.Add.Scatter(validated.Select(e => (double)e.Epoch).ToArray(), validated.Select(e => e.ValidationRmse!.Value).ToArray());
            validation.LegendText = "validation RMSE";
        }

        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("error (rating² for MSE, rating for RMSE)");
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path);
    }

    /// <summary>One line per series over concurrency levels, drawn at evenly spaced positions (1, 8, 64 are a geometric series).</summary>
    public static void AgainstConcurrency(string path, string title, string yLabel, IReadOnlyList<int> concurrencies,
        IReadOnlyList<(string Name, IReadOnlyList<double?> Values)> series)
    {
        var plot = new Plot();
        var positions = Enumerable.Range(0, concurrencies.Count).Select(i => (double)i).ToArray();
        foreach (var (name, values) in series)
        {
            var points = positions.Zip(values).Where(p => p.Second is not null).ToArray();
            if (points.Length == 0)
            {
                continue;
            }

            var line = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second!.Value).ToArray());
            line.LegendText = name;
        }

        plot.Axes.Bottom.SetTicks(positions, [.. concurrencies.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimitsX(-0.2, concurrencies.Count - 0.8);
        plot.Axes.SetLimitsY(0, Math.Max(1e-9, series.SelectMany(s => s.Values).Max(v => v ?? 0) * 1.15));
        plot.Title(title);
        plot.XLabel("concurrent calls");
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        Save(plot, path);
    }

    /// <summary>One line per series over named categories at evenly spaced positions (catalog sizes), y from zero.</summary>
    public static void AgainstCategories(string path, string title, string xLabel, string yLabel, IReadOnlyList<string> categories,
        IReadOnlyList<(string Name, IReadOnlyList<double?> Values)> series)
    {
        var plot = new Plot();
        var positions = Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray();
        foreach (var (name, values) in series)
        {
            var points = positions.Zip(values).Where(p => p.Second is not null).ToArray();
            if (points.Length == 0)
            {
                continue;
            }

            var line = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second!.Value).ToArray());
            line.LegendText = name;
            // p99 dashed, so each kind's pair of lines reads as one colour family.
            line.LinePattern = name.EndsWith("p99", StringComparison.Ordinal) ? LinePattern.Dashed : LinePattern.Solid;
        }

        plot.Axes.Bottom.SetTicks(positions, [.. categories]);
        plot.Axes.SetLimitsX(-0.2, categories.Count - 0.8);
        plot.Axes.SetLimitsY(0, Math.Max(1e-9, series.SelectMany(s => s.Values).Max(v => v ?? 0) * 1.15));
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        Save(plot, path);
    }

    private static void Save(Plot plot, string path) => plot.SavePng(path, Width, Height);
}
