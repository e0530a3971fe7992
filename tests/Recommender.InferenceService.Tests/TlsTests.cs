using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Recommender.InferenceService.Tests;

/// <summary>TLS is a configuration switch: the same gRPC port then speaks HTTPS (HTTP/2 over TLS).</summary>
public sealed class TlsTests : IDisposable
{
    private readonly ServedRepository _repository = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task With_a_certificate_configured_the_grpc_port_serves_tls()
    {
        var pfx = Path.Combine(_repository.Root, "server.pfx");
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "secret"));
        }

        await using var server = await InferenceServer.StartAsync(_repository.RepositoryPath, new Dictionary<string, string?>
        {
            ["Endpoints:TlsCertificatePath"] = pfx,
            ["Endpoints:TlsCertificatePassword"] = "secret",
        });
        using var handler = new HttpClientHandler
        {
            // The test's own self-signed certificate.
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Subject == "CN=127.0.0.1",
        };
        using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{server.GrpcPort}", new GrpcChannelOptions { HttpHandler = handler });

        var status = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());

        // No model published: reachable over TLS and honestly not serving yet.
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, status.Status);
        await Assert.ThrowsAnyAsync<Exception>(() =>
            new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest()).ResponseAsync);
    }
}
