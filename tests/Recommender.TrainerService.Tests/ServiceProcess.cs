using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Recommender.TrainerService.Tests;

/// <summary>
/// A built service run as its own process (`dotnet Service.dll --Key=Value ...`) on ports chosen by
/// the OS; it reports them through Endpoints:PortsFile. Output is kept for failure messages.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, int grpcPort)
    {
        _process = process;
        GrpcPort = grpcPort;
    }

    public int GrpcPort { get; private set; }

    public string Address => $"http://127.0.0.1:{GrpcPort}";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<ServiceProcess> StartAsync(string project, string workFolder, IDictionary<string, string?> settings, TimeSpan timeout)
    {
        var portsFile = Path.Combine(workFolder, $"{project}-{Guid.NewGuid():N}.ports.json");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(BuiltService.Dll(project));
        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add($"--{key}={value}");
        }

        info.ArgumentList.Add($"--Endpoints:PortsFile={portsFile}");
        info.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {project}.");
        var service = new ServiceProcess(process, 0);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (!File.Exists(portsFile))
        {
            if (process.HasExited || deadline.Elapsed > timeout)
            {
                service.Dispose();
                throw new TimeoutException($"{project} did not report its ports within {timeout} (exited: {process.HasExited}). Output:\n{service.Output}");
            }

            await Task.Delay(50);
        }

        using var ports = JsonDocument.Parse(await File.ReadAllTextAsync(portsFile));
        service.GrpcPort = ports.RootElement.GetProperty("grpcPort").GetInt32();
        return service;
    }

    /// <summary>SIGKILL: the process gets no chance to clean up (kill -9).</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
