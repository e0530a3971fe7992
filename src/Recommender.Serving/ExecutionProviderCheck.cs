using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Recommender.Serving;

/// <summary>
/// Decides the execution provider at start-up, so that `Cuda` without a usable GPU stops the
/// process at once (a crash-looping pod is visible; a GPU pod silently on CPU is not), and the
/// provider in use is logged before the first model loads.
/// </summary>
public sealed partial class ExecutionProviderCheck(OnnxSessionFactory sessions, ILogger<ExecutionProviderCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogProvider(logger, sessions.Provider);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "ONNX Runtime execution provider in use: {Provider}")]
    private static partial void LogProvider(ILogger logger, string provider);
}
