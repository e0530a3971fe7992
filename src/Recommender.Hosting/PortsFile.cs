using System.Globalization;

namespace Recommender.Hosting;

/// <summary>
/// Writes the bound ports for whoever started the process (see <see cref="EndpointOptions.PortsFile"/>).
/// Written to a temporary sibling and renamed, so a reader polling for the file never sees half of it.
/// </summary>
public static class PortsFile
{
    public static void Write(string path, (int GrpcPort, int MetricsPort) ports)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var json = string.Create(CultureInfo.InvariantCulture, $"{{\"grpcPort\":{ports.GrpcPort},\"metricsPort\":{ports.MetricsPort}}}");
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, json); // UTF-8 without a BOM: plain JSON for any reader
        File.Move(temporary, path, overwrite: true);
    }
}
