using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Recommender.Hosting;

/// <summary>
/// Turns domain exceptions into gRPC status codes, once for both hosts. Shared rules first: an
/// <see cref="ArgumentNullException"/> is a bug in the service (requests cannot carry nulls in
/// proto3), so it is INTERNAL and logged with its stack, never INVALID_ARGUMENT even where a host
/// maps <see cref="ArgumentException"/> to it; a cancelled call is CANCELLED. Then each host's
/// <see cref="IExceptionStatusMap"/>. Anything still unknown propagates, and gRPC answers UNKNOWN
/// and logs it.
/// </summary>
public sealed partial class DomainErrors(IEnumerable<IExceptionStatusMap> maps, ILogger<DomainErrors> logger)
{
    private readonly IExceptionStatusMap[] _maps = [.. maps];

    public async Task<T> Translate<T>(Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ToStatus(ex) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public async Task Translate(Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ToStatus(ex) is { } status)
        {
            throw new RpcException(status);
        }
    }

    /// <summary>The status an exception becomes, or null when it should propagate unchanged.</summary>
    public Status? ToStatus(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case RpcException:
                return null;
            case ArgumentNullException bug:
                LogBug(logger, bug, bug.ParamName);
                return new Status(StatusCode.Internal, "The service failed on an internal error; it has been logged.", bug);
            case OperationCanceledException:
                return new Status(StatusCode.Cancelled, "The call was cancelled or its deadline passed.");
        }

        foreach (var map in _maps)
        {
            if (map.ToStatus(exception) is { } status)
            {
                return status;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Internal error: a null {ParamName} reached the domain")]
    private static partial void LogBug(ILogger logger, Exception exception, string? paramName);
}
