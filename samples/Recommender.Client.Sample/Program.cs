using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Recommender.Client;
using Recommender.Client.Sample;

// Configuration: appsettings.json, then RecommenderClient__Address style environment variables, then
// --RecommenderClient:Address=http://host:port style arguments.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddRecommenderClient(builder.Configuration.GetSection(RecommenderClientOptions.Section));
using var host = builder.Build();

// Starting the host validates the client options: a bad address fails here, not at the first call.
await host.StartAsync().ConfigureAwait(false);
var userId = builder.Configuration.GetValue("Sample:UserId", 1L);
var topN = builder.Configuration.GetValue("Sample:TopN", 5);
try
{
    await SampleRun.RunAsync(host.Services.GetRequiredService<IRecommenderClient>(), userId, topN, Console.Out).ConfigureAwait(false);
    return 0;
}
catch (RpcException e)
{
    await Console.Error.WriteLineAsync($"The recommender answered {e.StatusCode}: {e.Status.Detail}").ConfigureAwait(false);
    return 1;
}
finally
{
    await host.StopAsync().ConfigureAwait(false);
}
