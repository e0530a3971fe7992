using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Recommender.Client.Tests.Infrastructure;
using Recommender.Contracts.V1;

namespace Recommender.Client.Tests;

/// <summary>The typed client against the real inference host serving a model trained in the fixture.</summary>
[Collection(InferenceServerCollection.Name)]
public sealed class InferenceClientTests(InferenceServerFixture server)
{
    private const int TestTimeoutMs = 60_000;

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Recommend_returns_the_models_best_unseen_items_with_clipped_scores()
    {
        await using var services = ClientServices.Build(o => o.Address = server.Address);
        var client = services.GetRequiredService<IRecommenderClient>();
        var bundle = server.Bundle;
        var mf = bundle.Mf!;
        const int user = 0;
        var userId = bundle.Users.ExternalId(user);

        var result = await client.RecommendAsync(userId, 5);

        Assert.Equal(new ModelRef(InferenceServerFixture.ModelName, bundle.Version, ModelKind.Mf), result.Model);
        Assert.Equal(userId, result.UserId);
        Assert.False(result.PopularityFallback);
        Assert.Equal(5, result.Items.Count);
        var returned = result.Items.Select(i => Index(bundle.Items, i.ItemId)).ToArray();
        Assert.All(returned, item => Assert.False(bundle.SeenItems!.Contains(user, item), $"seen item {item} was recommended"));
        // The model's own ranking: no unseen item left out scores above the worst one returned.
        var worstReturned = returned.Min(item => mf.RawScore(user, item));
        var bestLeftOut = Enumerable.Range(0, bundle.Items.Count)
            .Where(item => !returned.Contains(item) && !bundle.SeenItems!.Contains(user, item))
            .Max(item => mf.RawScore(user, item));
        Assert.True(worstReturned >= bestLeftOut - 1e-4f, $"worst returned {worstReturned} < best left out {bestLeftOut}");
        for (var i = 0; i < result.Items.Count; i++)
        {
            Assert.Equal(mf.Predict(user, returned[i]), result.Items[i].Score, 1e-3f);
            Assert.False(string.IsNullOrEmpty(result.Items[i].Title));
            if (i > 0)
            {
                Assert.True(result.Items[i - 1].Score >= result.Items[i].Score, "scores are not in descending order");
            }
        }
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Recommend_passes_the_options_through()
    {
        await using var services = ClientServices.Build(o => o.Address = server.Address);
        var client = services.GetRequiredService<IRecommenderClient>();
        var bundle = server.Bundle;
        var userId = bundle.Users.ExternalId(1);
        var candidates = Enumerable.Range(0, 6).Select(i => (long)bundle.Items.ExternalId(i)).ToArray();

        var result = await client.RecommendAsync(userId, 10, new RecommendOptions
        {
            IncludeSeen = true,
            CandidateItemIds = candidates,
            ExcludeItemIds = [candidates[0]],
            Model = new ModelSelector(InferenceServerFixture.ModelName, bundle.Version, ModelKind.Mf),
        });

        // Only the candidates, less the excluded one, seen or not.
        Assert.Equal(candidates.Skip(1).Order(), result.Items.Select(i => i.ItemId).Order());
        var unknown = await client.RecommendAsync(-42, 3, new RecommendOptions { AllowPopularityFallback = true });
        Assert.True(unknown.PopularityFallback);
        Assert.Equal(3, unknown.Items.Count);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task PredictRatings_returns_the_models_clipped_predictions_in_request_order()
    {
        await using var services = ClientServices.Build(o => o.Address = server.Address);
        var client = services.GetRequiredService<IRecommenderClient>();
        var bundle = server.Bundle;
        var pairs = Enumerable.Range(0, 12).Select(i => (User: i % bundle.Users.Count, Item: (i * 7) % bundle.Items.Count)).ToArray();
        var external = pairs.Select(p => ((long)bundle.Users.ExternalId(p.User), (long)bundle.Items.ExternalId(p.Item))).ToArray();

        var fromPairs = await client.PredictRatingsAsync(external);
        var fromColumns = await client.PredictRatingsAsync(external.Select(p => p.Item1).ToArray(), external.Select(p => p.Item2).ToArray());

        Assert.Equal(new ModelRef(InferenceServerFixture.ModelName, bundle.Version, ModelKind.Mf), fromPairs.Model);
        Assert.Equal(pairs.Length, fromPairs.Ratings.Count);
        for (var i = 0; i < pairs.Length; i++)
        {
            Assert.Equal(bundle.Mf!.Predict(pairs[i].User, pairs[i].Item), fromPairs.Ratings[i], 1e-3f);
        }

        Assert.Equal(fromPairs.Ratings, fromColumns.Ratings);
        Assert.Empty(fromPairs.FallbackIndices);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task PredictRatings_with_unknown_ids_fails_with_not_found_or_falls_back_when_asked()
    {
        await using var services = ClientServices.Build(o => o.Address = server.Address);
        var client = services.GetRequiredService<IRecommenderClient>();
        var known = ((long)server.Bundle.Users.ExternalId(0), (long)server.Bundle.Items.ExternalId(0));
        (long, long)[] pairs = [known, (-7, known.Item2)];

        var error = await Assert.ThrowsAsync<RpcException>(() => client.PredictRatingsAsync(pairs));
        var fallback = await client.PredictRatingsAsync(pairs, new PredictOptions { FallbackForUnknownIds = true });

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("-7", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal([1], fallback.FallbackIndices);
        Assert.Equal(2, fallback.Ratings.Count);
    }

    [Fact]
    public void PredictRatings_rejects_columns_of_different_lengths_before_calling()
    {
        using var services = ClientServices.Build(o => o.Address = server.Address);
        var client = services.GetRequiredService<IRecommenderClient>();

        // Thrown synchronously, before any request exists (an Action, not a Func<Task>).
        Assert.Throws<ArgumentException>(() => { _ = client.PredictRatingsAsync([1L, 2L], [1L]); });
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task RecommendBatch_answers_each_user_as_Recommend_does_in_request_order()
    {
        await using var services = ClientServices.Build(o => o.Address = server.Address);
        var client = services.GetRequiredService<IRecommenderClient>();
        long[] users = [.. new[] { 3, 0, 2 }.Select(u => (long)server.Bundle.Users.ExternalId(u))];

        var batch = await client.RecommendBatchAsync(users, 4);

        Assert.Equal(users, batch.Select(r => r.UserId));
        foreach (var single in batch)
        {
            var expected = await client.RecommendAsync(single.UserId, 4);
            Assert.Equal(expected.Items.Select(i => i.ItemId), single.Items.Select(i => i.ItemId));
            Assert.Equal(expected.Model, single.Model);
        }
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task GetModelInfo_describes_the_loaded_version()
    {
        await using var services = ClientServices.Build(o => o.Address = server.Address);
        var client = services.GetRequiredService<IRecommenderClient>();

        var info = await client.GetModelInfoAsync(InferenceServerFixture.ModelName);

        var model = Assert.Single(info.Models);
        Assert.Equal(InferenceServerFixture.ModelName, model.Version.Name);
        Assert.Equal(server.Bundle.Version, model.Version.Version);
        Assert.Equal(server.Bundle.Users.Count, model.UserCount);
        Assert.Equal(server.Bundle.Items.Count, model.ItemCount);
        Assert.False(string.IsNullOrEmpty(model.ExecutionProvider));
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("dns:///localhost:{0}", "localhost")]
    [InlineData("dns:///127.0.0.1:{0}", "127.0.0.1")]
    [InlineData("http://localhost:{0}", "localhost")]
    public async Task Round_robin_over_dns_reaches_the_server(string addressFormat, string resolvedName)
    {
        var address = new Uri(string.Format(System.Globalization.CultureInfo.InvariantCulture, addressFormat, server.GrpcPort));
        var logs = new RecordingLoggerProvider();
        await using var services = ClientServices.Build(
            o =>
            {
                o.Address = address;
                o.EnableClientSideLoadBalancing = true;
                o.DnsRefreshInterval = TimeSpan.FromSeconds(5);
            },
            more => more.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)));
        var client = services.GetRequiredService<IRecommenderClient>();

        // Several calls: each is picked by the round-robin balancer over the resolved addresses.
        for (var i = 0; i < 3; i++)
        {
            var result = await client.RecommendAsync(server.Bundle.Users.ExternalId(i), 2);
            Assert.Equal(2, result.Items.Count);
        }

        // The channel's own logs: it asked DNS for the name and balanced with round_robin (not pick_first).
        Assert.Contains(logs.Entries, e => e.EventName == "StartingDnsQuery" && e.Message.Contains(resolvedName, StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Category.EndsWith(".RoundRobinBalancer", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Category.EndsWith(".PickFirstBalancer", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task A_dns_address_is_re_resolved_on_the_configured_interval()
    {
        var logs = new RecordingLoggerProvider();
        await using var services = ClientServices.Build(
            o =>
            {
                o.Address = new Uri($"dns:///localhost:{server.GrpcPort}");
                o.EnableClientSideLoadBalancing = true;
                o.DnsRefreshInterval = TimeSpan.FromMilliseconds(300);
            },
            more => more.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)));
        await services.GetRequiredService<IRecommenderClient>().GetModelInfoAsync();

        // The refresh timer fires; grpc-dotnet then holds the next query to its floor of one per 15 s and says so.
        // The built-in resolver has no timer: this entry only appears with ours.
        var giveUpAt = DateTime.UtcNow.AddSeconds(10);
        while (!logs.Entries.Any(e => e.EventName == "StartingRateLimitDelay") && DateTime.UtcNow < giveUpAt)
        {
            await Task.Delay(50);
        }

        Assert.Contains(logs.Entries, e => e.EventName == "StartingRateLimitDelay");
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task A_connection_without_a_container_calls_the_server_and_validates_at_creation()
    {
        await using var connection = RecommenderConnection.Create(o => o.Address = server.Address);

        var result = await connection.Inference.RecommendAsync(server.Bundle.Users.ExternalId(0), 3);
        var invalid = Assert.Throws<OptionsValidationException>(() => RecommenderConnection.Create(o => o.DefaultDeadline = TimeSpan.Zero));

        Assert.Equal(3, result.Items.Count);
        Assert.Contains("Address is required", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("DefaultDeadline must be positive", invalid.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Client_registered_from_a_configuration_section_binds_the_options_and_calls_the_server()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RecommenderClient:Address"] = server.Address.ToString(),
            ["RecommenderClient:DefaultDeadline"] = "00:00:05",
            ["RecommenderClient:Retry:MaxAttempts"] = "4",
            ["RecommenderClient:Retry:RetryResourceExhausted"] = "true",
        }).Build();
        var collection = new ServiceCollection();
        collection.AddRecommenderClient(configuration.GetSection(RecommenderClientOptions.Section));
        await using var services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var options = services.GetRequiredService<IOptions<RecommenderClientOptions>>().Value;
        var client = services.GetRequiredService<IRecommenderClient>();
        var info = await client.GetModelInfoAsync();

        Assert.Equal(server.Address, options.Address);
        Assert.Equal(TimeSpan.FromSeconds(5), options.DefaultDeadline);
        Assert.Equal(4, options.Retry.MaxAttempts);
        Assert.True(options.Retry.RetryResourceExhausted);
        Assert.IsType<RecommenderClient>(client);
        Assert.Single(info.Models);
    }

    private static int Index(Recommender.Data.IdMap map, long externalId)
    {
        Assert.True(map.TryGetIndex(checked((int)externalId), out var index), $"unknown item {externalId}");
        return index;
    }
}
