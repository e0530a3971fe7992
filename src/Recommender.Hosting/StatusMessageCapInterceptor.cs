using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Recommender.Hosting;

/// <summary>
/// Cuts any status message longer than <see cref="StatusText.MaxMessageChars"/> before it is sent.
/// Handlers bound and quote their inputs themselves; this catches the message nobody thought of,
/// because one oversized trailer hangs the call and breaks the client's connection.
/// </summary>
public sealed class StatusMessageCapInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.Status.Detail.Length > StatusText.MaxMessageChars)
        {
            throw Capped(ex);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.Status.Detail.Length > StatusText.MaxMessageChars)
        {
            throw Capped(ex);
        }
    }

    private static RpcException Capped(RpcException ex) =>
        new(new Status(ex.StatusCode, StatusText.Cap(ex.Status.Detail), ex.Status.DebugException), ex.Trailers);
}
