using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Recommender.Serving;

/// <summary>
/// Creates ONNX Runtime sessions on the configured execution provider and reports the provider
/// really in use. ORT's GetAvailableProviders() lists CUDA even when its libraries cannot be
/// loaded, so the only trustworthy check is appending the provider and seeing it succeed.
/// </summary>
public sealed partial class OnnxSessionFactory(
    ExecutionProviderPreference preference,
    int cudaDeviceId,
    int intraOpThreads,
    ILogger<OnnxSessionFactory> logger)
{
    public const string CudaProvider = "CUDAExecutionProvider";
    public const string CpuProvider = "CPUExecutionProvider";

    private readonly Lazy<string> _provider = new(() => Probe(preference, cudaDeviceId, logger));

    /// <summary>The provider sessions run on; decided once, at the first call.</summary>
    /// <exception cref="ExecutionProviderUnavailableException">CUDA was required and cannot be used.</exception>
    public string Provider => _provider.Value;

    /// <summary>Opens <paramref name="onnxPath"/> on <see cref="Provider"/>.</summary>
    public OnnxSession Open(string onnxPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        var provider = Provider;
        var options = NewOptions();
        try
        {
            if (provider == CudaProvider)
            {
                options.AppendExecutionProvider_CUDA(cudaDeviceId);
            }

            var session = new InferenceSession(onnxPath, options);
            return new OnnxSession(session, options, provider);
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    private static string Probe(ExecutionProviderPreference preference, int deviceId, ILogger logger)
    {
        if (preference == ExecutionProviderPreference.Cpu)
        {
            return CpuProvider;
        }

        try
        {
            // Appending loads the CUDA provider library and its CUDA/cuDNN dependencies: it throws
            // at once when any of them is missing.
            using var options = new SessionOptions();
            options.AppendExecutionProvider_CUDA(deviceId);
            return CudaProvider;
        }
        catch (OnnxRuntimeException ex)
        {
            if (preference == ExecutionProviderPreference.Cuda)
            {
                throw new ExecutionProviderUnavailableException(
                    $"Inference:ExecutionProvider is Cuda but the CUDA execution provider (device {deviceId}) cannot be used: {ex.Message}", ex);
            }

            LogCudaFallback(logger, deviceId, ex.Message);
            return CpuProvider;
        }
    }

    private SessionOptions NewOptions() => new()
    {
        // One intra-op thread per run: concurrent runs on one session scale better than
        // splitting a small run across threads (measured on 2 cores, see design notes).
        IntraOpNumThreads = intraOpThreads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "CUDA execution provider (device {DeviceId}) unavailable, falling back to CPU: {Reason}")]
    private static partial void LogCudaFallback(ILogger logger, int deviceId, string reason);
}

/// <summary>A session with the options it was made from and the provider it runs on.</summary>
public sealed class OnnxSession(InferenceSession session, SessionOptions options, string executionProvider) : IDisposable
{
    public InferenceSession Session { get; } = session;

    public string ExecutionProvider { get; } = executionProvider;

    public void Dispose()
    {
        Session.Dispose();
        options.Dispose();
    }
}

/// <summary>CUDA was required by configuration and cannot be used.</summary>
public sealed class ExecutionProviderUnavailableException(string message, Exception inner) : Exception(message, inner);
