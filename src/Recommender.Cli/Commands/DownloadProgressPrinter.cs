using Recommender.Data;

namespace Recommender.Cli.Commands;

/// <summary>Prints download progress on one updating line (a line per 10% when output is not a terminal).</summary>
internal sealed class DownloadProgressPrinter : IProgress<DownloadProgress>, IDisposable
{
    private readonly bool _interactive = !Console.IsOutputRedirected;
    private int _lastDecile = -1;
    private bool _started;

    public void Report(DownloadProgress value)
    {
        var mb = value.BytesReceived / 1048576.0;
        var total = value.TotalBytes is { } t ? $" / {t / 1048576.0:F1} MB" : " MB";
        var percent = value.Fraction is { } f ? $" ({f:P0})" : "";
        if (_interactive)
        {
            Console.Write($"\rdownloading {value.Url}: {mb:F1}{total}{percent}   ");
            _started = true;
        }
        else if (value.Fraction is { } fraction && (int)(fraction * 10) > _lastDecile)
        {
            _lastDecile = (int)(fraction * 10);
            Console.WriteLine($"downloading {value.Url}: {mb:F1}{total}{percent}");
        }
    }

    public void Finish()
    {
        if (_started)
        {
            Console.WriteLine();
            _started = false;
        }
    }

    public void Dispose() => Finish();
}
