using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Recommender.Client.Tests.Infrastructure;
using Recommender.Contracts.V1;

namespace Recommender.Client.Tests;

/// <summary>DI registration, options validation and the service config the channels get.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public void The_clients_resolve_from_the_container()
    {
        using var services = ClientServices.Build(o =>
        {
            o.Address = new Uri("http://127.0.0.1:1");
            o.TrainerAddress = new Uri("dns:///localhost:2");
            o.EnableClientSideLoadBalancing = true;
        });

        Assert.IsType<RecommenderClient>(services.GetRequiredService<IRecommenderClient>());
        Assert.IsType<TrainerClient>(services.GetRequiredService<ITrainerClient>());
    }

    [Fact]
    public void Registering_twice_registers_the_clients_once_and_applies_both_configurations()
    {
        var collection = new ServiceCollection();
        collection.AddRecommenderClient(o => o.Address = new Uri("http://127.0.0.1:1"));
        collection.AddRecommenderClient(o => o.DefaultDeadline = TimeSpan.FromSeconds(9));
        using var services = collection.BuildServiceProvider();

        Assert.Single(collection, d => d.ServiceType == typeof(IRecommenderClient));
        Assert.Single(services.GetServices<IValidateOptions<RecommenderClientOptions>>());
        var options = services.GetRequiredService<IOptions<RecommenderClientOptions>>().Value;
        Assert.Equal(new Uri("http://127.0.0.1:1"), options.Address);
        Assert.Equal(TimeSpan.FromSeconds(9), options.DefaultDeadline);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_applications_own_generated_client_registration_is_left_alone()
    {
        var theirs = new ScriptedInferenceService();
        var ours = new ScriptedInferenceService();
        await using var theirServer = await LoopbackGrpcServer.StartAsync(theirs);
        await using var ourServer = await LoopbackGrpcServer.StartAsync(ours);
        var collection = new ServiceCollection();
        collection.AddGrpcClient<InferenceApi.InferenceServiceClient>(o => o.Address = theirServer.Address);
        collection.AddRecommenderClient(o => o.Address = ourServer.Address);
        await using var services = collection.BuildServiceProvider();

        await services.GetRequiredService<InferenceApi.InferenceServiceClient>().GetModelInfoAsync(new GetModelInfoRequest(),
            deadline: DateTime.UtcNow.AddSeconds(5));
        await services.GetRequiredService<IRecommenderClient>().GetModelInfoAsync();

        Assert.Equal(1, theirs.Attempts);
        Assert.Equal(1, ours.Attempts);
    }

    [Fact]
    public void A_missing_address_fails_when_the_client_is_resolved_naming_the_field()
    {
        using var services = ClientServices.Build(_ => { });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IRecommenderClient>());

        Assert.Contains("Address is required", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_host_with_invalid_options_fails_to_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddRecommenderClient(o =>
        {
            o.Address = new Uri("ftp://example.invalid");
            o.Retry.MaxAttempts = 9;
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, f => f.Contains("http, https or dns", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("MaxAttempts", StringComparison.Ordinal));
    }

    public static TheoryData<string, Action<RecommenderClientOptions>> InvalidOptions => new()
    {
        { "must be absolute", o => o.Address = new Uri("inference/v1", UriKind.Relative) },
        { "host and port", o => o.Address = new Uri("dns:///") },
        { "the scheme already says", o => { o.Address = new Uri("https://inference:50051"); o.UseTls = false; } },
        { "the scheme already says", o => { o.Address = new Uri("http://inference:50051"); o.UseTls = true; } },
        { "http, https or dns", o => o.TrainerAddress = new Uri("ftp://trainer") },
        { "DefaultDeadline must be positive", o => o.DefaultDeadline = TimeSpan.Zero },
        { "DnsRefreshInterval must be positive", o => o.DnsRefreshInterval = TimeSpan.FromSeconds(-1) },
        { "MaxAttempts must be 1 to 5", o => o.Retry.MaxAttempts = 0 },
        { "MaxAttempts must be 1 to 5", o => o.Retry.MaxAttempts = 6 },
        { "MaxBackoff must be at least InitialBackoff", o => o.Retry.MaxBackoff = TimeSpan.FromMilliseconds(1) },
        { "InitialBackoff must be positive", o => o.Retry.InitialBackoff = TimeSpan.Zero },
        { "BackoffMultiplier must be a positive number", o => o.Retry.BackoffMultiplier = double.NaN },
        { "MaxReceiveMessageBytes", o => o.MaxReceiveMessageBytes = 10 },
        { "plaintext", o => { o.TrainerAddress = new Uri("dns:///trainer:50051"); o.Token = "t"; } },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_reported_by_name(string expected, Action<RecommenderClientOptions> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var options = new RecommenderClientOptions { Address = new Uri("http://inference:50051") };
        change(options);

        var result = new RecommenderClientOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://inference:50051", null)]
    [InlineData("https://inference:50051", true)]
    [InlineData("dns:///recommender-inference-headless.recommender.svc.cluster.local:50051", null)]
    [InlineData("dns:///recommender-inference-headless.recommender.svc.cluster.local:50051", true)]
    public void Valid_addresses_pass(string address, bool? useTls)
    {
        var options = new RecommenderClientOptions { Address = new Uri(address), UseTls = useTls, TrainerAddress = new Uri("https://trainer:443"), Token = "t" };

        Assert.True(new RecommenderClientOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Every_trainer_method_is_classified_as_idempotent_or_mutating()
    {
        // A new RPC in the proto must be classified before it can be retried or not: this test fails until it is.
        var methods = TrainerService.Descriptor.Methods.Select(m => m.Name).Order();

        Assert.Equal(methods, ChannelSettings.TrainerIdempotentMethods.Concat(ChannelSettings.TrainerMutatingMethods).Order());
        Assert.Empty(ChannelSettings.TrainerIdempotentMethods.Intersect(ChannelSettings.TrainerMutatingMethods));
    }

    [Fact]
    public void The_service_configs_retry_reads_on_unavailable_and_balance_only_when_asked()
    {
        var options = new RecommenderClientOptions { Address = new Uri("http://inference:50051") };
        var inference = ChannelSettings.InferenceServiceConfig(options);
        options.EnableClientSideLoadBalancing = true;
        var trainer = ChannelSettings.TrainerServiceConfig(options);

        var inferenceMethod = Assert.Single(inference.MethodConfigs);
        Assert.Equal(InferenceApi.Descriptor.FullName, Assert.Single(inferenceMethod.Names).Service);
        Assert.Null(Assert.Single(inferenceMethod.Names).Method);
        Assert.Equal([StatusCode.Unavailable], inferenceMethod.RetryPolicy!.RetryableStatusCodes);
        Assert.Equal(3, inferenceMethod.RetryPolicy.MaxAttempts);
        Assert.Empty(inference.LoadBalancingConfigs);
        var trainerMethod = Assert.Single(trainer.MethodConfigs);
        Assert.DoesNotContain(trainerMethod.Names, n => n.Method is "StartTraining" or "CancelTraining");
        Assert.Equal("round_robin", Assert.Single(trainer.LoadBalancingConfigs).PolicyName);
    }

    [Theory]
    [InlineData("http://inference:50051", false, "http://inference:50051/")]
    [InlineData("http://inference:50051", true, "dns:///inference:50051")]
    [InlineData("https://inference", true, "dns:///inference:443")]
    [InlineData("dns:///inference:50051", false, "dns:///inference:50051")]
    public void With_load_balancing_an_http_address_is_resolved_by_dns(string address, bool loadBalance, string expected)
    {
        Assert.Equal(new Uri(expected), ChannelSettings.ChannelAddress(new Uri(address), loadBalance));
    }
}
