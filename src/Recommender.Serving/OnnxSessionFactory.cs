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

    /// <summary>Opens <paramref name="onnxPath"/> on the preferred provider.</summary>
    /// <exception cref="ExecutionProviderUnavailableException">CUDA was required and cannot be used.</exception>
    public OnnxSession Open(string onnxPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        var options = NewOptions();
        var provider = CpuProvider;
        if (preference != ExecutionProviderPreference.Cpu)
        {
            try
            {
                options.AppendExecutionProvider_CUDA(cudaDeviceId);
                provider = CudaProvider;
            }
            catch (OnnxRuntimeException ex)
            {
                options.Dispose();
                if (preference == ExecutionProviderPreference.Cuda)
                {
                    throw new ExecutionProviderUnavailableException(
                        $"The CUDA execution provider (device {cudaDeviceId}) cannot be used: {ex.Message}", ex);
                }

                LogCudaFallback(logger, cudaDeviceId, ex.Message);
                options = NewOptions();
            }
        }

        try
        {
            var session = new InferenceSession(onnxPath, options);
            return new OnnxSession(session, options, provider);
        }
        catch
        {
            options.Dispose();
            throw;
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
