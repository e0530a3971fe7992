using Microsoft.Extensions.DependencyInjection;
using Recommender.Client.Sample;
using Recommender.Client.Tests.Infrastructure;

namespace Recommender.Client.Tests;

/// <summary>The sample's calls against the real inference host, so the sample's README can't drift into not working.</summary>
[Collection(InferenceServerCollection.Name)]
public sealed class SampleTests(InferenceServerFixture server)
{
    [Fact(Timeout = 60_000)]
    public async Task The_sample_prints_the_model_the_top_items_and_a_prediction_batch()
    {
        await using var services = ClientServices.Build(o => o.Address = server.Address);
        var userId = server.Bundle.Users.ExternalId(0);
        using var output = new StringWriter();

        await SampleRun.RunAsync(services.GetRequiredService<IRecommenderClient>(), userId, 5, output);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith($"Serving {InferenceServerFixture.ModelName} v{server.Bundle.Version} on ", lines[0], StringComparison.Ordinal);
        Assert.Equal($"Top 5 for user {userId} ({InferenceServerFixture.ModelName} v{server.Bundle.Version}):", lines[1]);
        Assert.Equal(5, lines.Count(l => l.StartsWith($"user {userId}, item ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("Predicted ratings (", StringComparison.Ordinal));
    }
}
