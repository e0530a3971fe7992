using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Recommender.Hosting;

namespace Recommender.Cli.Commands;

/// <summary>
/// Runs a service host until Ctrl-C/SIGTERM. Prints one machine-readable line once listening,
/// "READY grpc=PORT metrics=PORT", so a parent process (the demo, tests) can find ports chosen
/// with port 0.
/// </summary>
internal static class HostRunner
{
    public const string ReadyPrefix = "READY ";

    public static async Task<int> RunAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var (grpc, metrics) = app.BoundPorts();
            Console.WriteLine($"{ReadyPrefix}grpc={grpc} metrics={metrics}");
            await app.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            return 0;
        }
    }
}
