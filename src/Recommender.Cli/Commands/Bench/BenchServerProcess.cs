using System.Diagnostics;
using System.Globalization;

namespace Recommender.Cli.Commands.Bench;

/// <summary>
/// An inference service started by the bench as a child process of this same executable
/// (`recommender inference serve` on loopback, free ports), so that server and load generator do
/// not share a runtime, a GC or a thread pool — as in a real deployment.
/// </summary>
internal sealed class BenchServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private BenchServerProcess(Process process, int grpcPort)
    {
        _process = process;
        Address = $"http://127.0.0.1:{grpcPort}";
    }

    public string Address { get; }

    /// <summary>
    /// How to run `recommender` again: this executable, with the assembly path first when it was
    /// started as `dotnet recommender.dll`.
    /// </summary>
    public static IReadOnlyList<string> SelfCommand()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable runs the bench.");
        return string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.Ordinal)
            ? [host, typeof(BenchServerProcess).Assembly.Location]
            : [host];
    }

    /// <summary>Starts the server with <paramref name="command"/> (`recommender` and any leading arguments) and waits for its READY line.</summary>
    public static async Task<BenchServerProcess> StartAsync(IReadOnlyList<string> command, string repositoryPath, IEnumerable<string> settings,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(command.Count);
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var host = command[0];
        start.FileName = host;
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in (string[])["inference", "serve",
                     $"--Inference:RepositoryPath={Path.GetFullPath(repositoryPath)}", "--Inference:ExecutionProvider=Cpu",
                     "--Endpoints:BindAddress=127.0.0.1", "--Endpoints:GrpcPort=0", "--Endpoints:MetricsPort=0",
                     "--Endpoints:DrainDelay=00:00:00", "--Logging:LogLevel:Default=Warning"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.Add(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith(HostRunner.ReadyPrefix, StringComparison.Ordinal))
                {
                    var port = int.Parse(line.Split(' ')[1].Split('=')[1], CultureInfo.InvariantCulture);
                    // Keep draining stdout so the child never blocks on a full pipe.
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    return new BenchServerProcess(process, port);
                }
            }

            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            string log;
            lock (errors)
            {
                log = string.Join(Environment.NewLine, errors.TakeLast(20));
            }

            throw new InvalidOperationException($"The bench's inference server exited ({process.ExitCode}) before it was ready: {log}");
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop(_process);
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }
}
