using System.Globalization;
using System.Text;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Recommender.Hosting;

/// <summary>
/// Rewrites the status of a call whose request could not be read into a message, which gRPC
/// answers before any handler or interceptor runs: a body over the size limit (gRPC's own text
/// does not say which limit) and a body that is not protobuf (gRPC answers UNKNOWN "Exception was
/// thrown by handler."). Such calls end with a trailers-only response that has not been sent when
/// the endpoint returns, so the status headers can still be replaced here.
/// </summary>
public sealed class UnreadableRequestMiddleware(RequestDelegate next, IOptions<EndpointOptions> endpoints)
{
    // Grpc.AspNetCore.Server's fixed text for a message over MaxReceiveMessageSize.
    private const string GrpcSizeLimitDetail = "Received message exceeds the maximum configured message size.";

    private readonly int _limit = endpoints.Value.MaxReceiveMessageBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await next(context).ConfigureAwait(false);
        if (context.Response.HasStarted || context.Features.Get<IServerCallContextFeature>()?.ServerCallContext is not { } call)
        {
            return;
        }

        if (Replacement(call.Status, call.Method) is { } status)
        {
            call.Status = status;
            context.Response.Headers["grpc-status"] = ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = PercentEncode(status.Detail);
        }
    }

    private Status? Replacement(Status status, string method)
    {
        var tooLarge = (status.StatusCode == StatusCode.ResourceExhausted && status.Detail == GrpcSizeLimitDetail)
            || status.DebugException is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge };
        if (tooLarge)
        {
            return new Status(StatusCode.ResourceExhausted, string.Create(CultureInfo.InvariantCulture,
                $"The request message is larger than this server's limit of {_limit} bytes (Endpoints:MaxReceiveMessageBytes); send smaller batches."));
        }

        return status.DebugException is InvalidProtocolBufferException malformed
            ? new Status(StatusCode.InvalidArgument,
                $"The request body is not a valid protobuf message for {StatusText.Quote(method)}: {StatusText.Quote(malformed.Message)}")
            : null;
    }

    // The gRPC wire form of a status message: UTF-8, with bytes outside printable ASCII and '%' percent-encoded.
    private static string PercentEncode(string detail)
    {
        var text = new StringBuilder(detail.Length);
        foreach (var b in Encoding.UTF8.GetBytes(detail))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
