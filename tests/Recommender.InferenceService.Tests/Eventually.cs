using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Recommender.InferenceService.Tests;

/// <summary>Bounded polling for conditions that become true asynchronously (model loads, swaps).</summary>
internal static class Eventually
{
    public static async Task ServingAsync(GrpcChannel channel, TimeSpan? timeout = null)
    {
        var health = new Health.HealthClient(channel);
        await TrueAsync(async () => (await health.CheckAsync(new HealthCheckRequest())).Status == HealthCheckResponse.Types.ServingStatus.Serving,
            timeout, "the server never reported SERVING");
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout, string failure)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail(failure);
    }
}
