using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Recommender.TrainerService;

/// <summary>
/// The token check of the mutating calls (StartTraining, CancelTraining) and of DownloadModelVersion
/// (a version's files include per-user data: which items each user rated), called by the service at
/// the top of each; the other read calls (job state, version listings) stay open. A check in the service rather than an interceptor keeps
/// the list of protected methods next to the methods, where a new mutating call cannot miss it.
/// No header → UNAUTHENTICATED; a wrong token → PERMISSION_DENIED. The comparison takes the same
/// time wherever the first differing byte is (the lengths may leak, the content does not).
/// </summary>
internal sealed class BearerTokenAuthenticator(IOptions<TrainerOptions> options)
{
    private const string Scheme = "Bearer ";

    private readonly byte[]? _expected = options.Value.RequireAuthentication
        ? Encoding.UTF8.GetBytes(options.Value.AuthToken ?? "")
        : null;

    public void Authorize(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_expected is null)
        {
            return;
        }

        var header = context.RequestHeaders.GetValue("authorization");
        if (string.IsNullOrEmpty(header) || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "This call requires 'authorization: Bearer <token>' metadata."));
        }

        var presented = Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim());
        if (!CryptographicOperations.FixedTimeEquals(presented, _expected))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "The bearer token is not valid for this trainer."));
        }
    }
}
