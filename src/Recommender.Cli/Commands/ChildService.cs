using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Recommender.Cli.Commands;

/// <summary>
/// A service started as a real child process of this executable (`recommender inference serve …`):
/// waits for its READY line to learn the ports it bound, and stops it with SIGTERM so that it
/// drains like it would in Kubernetes (SIGKILL only if it does not exit in time).
/// </summary>
internal sealed partial class ChildService : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<(int Grpc, int Metrics)> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];
    private int _disposed;

    private ChildService(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int GrpcPort { get; private set; }

    public string Address => $"http://127.0.0.1:{GrpcPort}";

    /// <summary>The last lines the child printed (for error messages).</summary>
    public string Tail
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output.TakeLast(15));
            }
        }
    }

    public static async Task<ChildService> StartAsync(string name, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot locate this executable to start a child service.");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            // Run as `dotnet recommender.dll`: the child needs the assembly path too.
            start.ArgumentList.Add(typeof(ChildService).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the {name} service.");
        var child = new ChildService(name, process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync(CancellationToken.None).ContinueWith(
            _ => child._ready.TrySetException(new InvalidOperationException($"The {name} service exited with code {process.ExitCode} before it was ready:{Environment.NewLine}{child.Tail}")),
            TaskScheduler.Default);

        try
        {
            (child.GrpcPort, _) = await child._ready.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return child;
        }
        catch
        {
            await child.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _ = Terminate(_process.Id, Sigterm);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (line.StartsWith(HostRunner.ReadyPrefix, StringComparison.Ordinal))
        {
            var parts = line[HostRunner.ReadyPrefix.Length..].Split(' ')
                .Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
            _ready.TrySetResult((parts["grpc"], parts["metrics"]));
        }
    }

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Terminate(int pid, int signal);
}
