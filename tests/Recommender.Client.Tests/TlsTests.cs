using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Client.Tests.Infrastructure;
using Recommender.Contracts.V1;

namespace Recommender.Client.Tests;

/// <summary>TLS servers on loopback with a self-signed certificate that only these clients trust.</summary>
public sealed class TlsTests
{
    private const int TestTimeoutMs = 30_000;

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("https://localhost:{0}", false)]
    [InlineData("dns:///localhost:{0}", true)]
    public async Task Tls_addresses_reach_the_server_also_through_dns_round_robin(string addressFormat, bool loadBalance)
    {
        using var certificate = TestCertificate.CreateForLocalhost();
        var service = new ScriptedInferenceService();
        await using var server = await LoopbackGrpcServer.StartAsync(service, certificate);
        var address = new Uri(string.Format(System.Globalization.CultureInfo.InvariantCulture, addressFormat, server.Port));
        await using var services = ClientServices.Build(
            o =>
            {
                o.Address = address;
                o.EnableClientSideLoadBalancing = loadBalance;
                o.UseTls = true;
            },
            more => Trust(more, RecommenderClientServiceCollectionExtensions.InferenceClientName, certificate));

        var result = await services.GetRequiredService<IRecommenderClient>().RecommendAsync(4, 2);

        Assert.Equal(4, result.UserId);
        Assert.Equal(1, service.Attempts);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Over_tls_the_token_is_sent_without_the_plaintext_opt_in()
    {
        using var certificate = TestCertificate.CreateForLocalhost();
        var service = new RecordingTrainerService();
        await using var server = await LoopbackGrpcServer.StartAsync(service, certificate);
        await using var services = ClientServices.Build(
            o =>
            {
                o.Address = new Uri("http://127.0.0.1:1");
                o.TrainerAddress = new Uri($"https://localhost:{server.Port}");
                o.Token = "over-tls";
            },
            more => Trust(more, RecommenderClientServiceCollectionExtensions.TrainerClientName, certificate));

        await services.GetRequiredService<ITrainerClient>().StartTrainingAsync(new StartTrainingRequest { ModelName = "m" });

        Assert.Equal([("StartTraining", "Bearer over-tls")], service.Calls.ToArray());
    }

    /// <summary>How an application trusts a private CA: replace the named client's primary handler.</summary>
    private static void Trust(IServiceCollection services, string clientName, X509Certificate2 certificate) =>
        services.AddHttpClient(clientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) =>
                    presented is not null && presented.GetCertHashString() == certificate.GetCertHashString(),
            },
        });
}
