using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Recommender.Client;

/// <summary>
/// Gives unary calls without a deadline the configured default. On the channel rather than in
/// <see cref="RecommenderClient"/>, so that the generated clients resolved from the same
/// registration get it too. Streaming calls are left alone: a watch lasts as long as its job.
/// </summary>
internal sealed class DefaultDeadlineInterceptor(Func<TimeSpan> defaultDeadline, TimeProvider time) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return continuation(request, WithDefaultDeadline(context));
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return continuation(request, WithDefaultDeadline(context));
    }

    private ClientInterceptorContext<TRequest, TResponse> WithDefaultDeadline<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        if (context.Options.Deadline is not null)
        {
            return context; // the caller's deadline wins, shorter or longer
        }

        var options = context.Options.WithDeadline(time.GetUtcNow().UtcDateTime + defaultDeadline());
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options);
    }
}
