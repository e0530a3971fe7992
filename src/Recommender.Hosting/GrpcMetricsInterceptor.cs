using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Recommender.Hosting;

/// <summary>
/// Counts every call by method and status code and records its latency, on
/// System.Diagnostics.Metrics (exported to Prometheus by the metrics endpoint).
/// </summary>
public sealed class GrpcMetricsInterceptor : Interceptor, IDisposable
{
    public const string MeterName = "Recommender.Grpc";

    private readonly Meter _meter;
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _latency;

    public GrpcMetricsInterceptor(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _calls = _meter.CreateCounter<long>("recommender_grpc_calls_total", "calls", "gRPC calls by method and status code.");
        _latency = _meter.CreateHistogram<double>("recommender_grpc_latency_seconds", "s", "gRPC call latency by method.",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        var start = Stopwatch.GetTimestamp();
        var code = StatusCode.OK;
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            code = ex.StatusCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            code = StatusCode.Cancelled;
            throw;
        }
        catch
        {
            code = StatusCode.Unknown;
            throw;
        }
        finally
        {
            Record(context.Method, code, start);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        var start = Stopwatch.GetTimestamp();
        var code = StatusCode.OK;
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            code = ex.StatusCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            code = StatusCode.Cancelled;
            throw;
        }
        catch
        {
            code = StatusCode.Unknown;
            throw;
        }
        finally
        {
            Record(context.Method, code, start);
        }
    }

    public void Dispose() => _meter.Dispose();

    private void Record(string method, StatusCode code, long start)
    {
        var methodTag = new KeyValuePair<string, object?>("method", method);
        _calls.Add(1, methodTag, new KeyValuePair<string, object?>("code", code.ToString()));
        _latency.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, methodTag);
    }
}
