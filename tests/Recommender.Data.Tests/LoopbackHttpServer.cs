using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Recommender.Data.Tests;

/// <summary>A tiny HTTP server on 127.0.0.1 at a free port, serving fixed bytes by path; 404 otherwise.</summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public LoopbackHttpServer(IReadOnlyDictionary<string, byte[]> files)
    {
        Files = new ConcurrentDictionary<string, byte[]>(files);
        Port = FreePort();
        BaseUri = new Uri($"http://127.0.0.1:{Port}/datasets/");
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public ConcurrentDictionary<string, byte[]> Files { get; }

    public ConcurrentQueue<string> Requests { get; } = new();

    public int Port { get; }

    public Uri BaseUri { get; }

    /// <summary>A port nothing listens on (bound then released), for "unreachable" tests.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends with an exception when the listener closes.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var path = context.Request.Url!.AbsolutePath;
            Requests.Enqueue(path);
            using var response = context.Response;
            if (Files.TryGetValue(path, out var body))
            {
                response.StatusCode = 200;
                response.ContentLength64 = body.Length;
                await response.OutputStream.WriteAsync(body);
            }
            else
            {
                response.StatusCode = 404;
            }
        }
    }
}
