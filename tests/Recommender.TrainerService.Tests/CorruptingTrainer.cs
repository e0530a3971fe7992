using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Recommender.Contracts.V1;

namespace Recommender.TrainerService.Tests;

/// <summary>
/// A trainer in front of a real one that flips one byte of the first file chunk it forwards, as a
/// damaged network path or a tampering proxy would: a puller must refuse what it sends.
/// </summary>
internal sealed class CorruptingTrainer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GrpcChannel _upstream;

    private CorruptingTrainer(WebApplication app, GrpcChannel upstream, string address)
    {
        _app = app;
        _upstream = upstream;
        Address = address;
    }

    public string Address { get; }

    public static async Task<CorruptingTrainer> StartAsync(string upstreamAddress)
    {
        var upstream = GrpcChannel.ForAddress(upstreamAddress);
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new Contracts.V1.TrainerService.TrainerServiceClient(upstream));
        var app = builder.Build();
        app.MapGrpcService<Forwarder>();
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new CorruptingTrainer(app, upstream, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        _upstream.Dispose();
    }

    private sealed class Forwarder(Contracts.V1.TrainerService.TrainerServiceClient upstream) : Contracts.V1.TrainerService.TrainerServiceBase
    {
        public override async Task<ListModelVersionsResponse> ListModelVersions(ListModelVersionsRequest request, ServerCallContext context) =>
            await upstream.ListModelVersionsAsync(request, cancellationToken: context.CancellationToken);

        public override async Task DownloadModelVersion(DownloadModelVersionRequest request, IServerStreamWriter<DownloadModelVersionResponse> responseStream,
            ServerCallContext context)
        {
            // The caller's token passes through, as through any proxy.
            var headers = new Metadata();
            if (context.RequestHeaders.GetValue("authorization") is { } authorization)
            {
                headers.Add("authorization", authorization);
            }

            using var call = upstream.DownloadModelVersion(request, headers, cancellationToken: context.CancellationToken);
            var corrupted = false;
            await foreach (var message in call.ResponseStream.ReadAllAsync(context.CancellationToken))
            {
                if (!corrupted && message.PartCase == DownloadModelVersionResponse.PartOneofCase.Chunk && message.Chunk.Data.Length > 0)
                {
                    var bytes = message.Chunk.Data.ToByteArray();
                    bytes[bytes.Length / 2] ^= 0x5A;
                    message.Chunk.Data = ByteString.CopyFrom(bytes);
                    corrupted = true;
                }

                await responseStream.WriteAsync(message, context.CancellationToken);
            }
        }
    }
}
