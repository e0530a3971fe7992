using Grpc.Core;
using Recommender.Contracts.V1;
using Recommender.Hosting;
using Contract = Recommender.Contracts.V1;

namespace Recommender.InferenceService.Tests;

/// <summary>
/// Issue 11's battery, contract side: oversized identifiers, undefined enum values, long id lists,
/// malformed and oversized bodies. Each answers its status code with a short message naming the
/// field, and the channel keeps working afterwards.
/// </summary>
public sealed class ContractBoundsTests(ServedRepositoryFixture fixture) : IClassFixture<ServedRepositoryFixture>, IAsyncLifetime
{
    private InferenceServer _server = null!;
    private Contract.InferenceService.InferenceServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await InferenceServer.StartAsync(fixture.Repository.RepositoryPath);
        _client = new Contract.InferenceService.InferenceServiceClient(_server.Channel);
        await Eventually.ServingAsync(_server.Channel);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private long KnownUser => fixture.Repository.Dataset.Ratings.UserIds[0];

    [Fact]
    public async Task A_huge_model_name_is_invalid_with_a_short_message_and_the_channel_keeps_working()
    {
        var name = new string('m', 100_000);

        await ExpectAsync(StatusCode.InvalidArgument, "model.name",
            _client.RecommendAsync(new RecommendRequest { UserId = KnownUser, TopN = 1, Model = new ModelSpec { Name = name } }, deadline: Deadline()).ResponseAsync);
        await ExpectAsync(StatusCode.InvalidArgument, "model.name",
            _client.PredictRatingsAsync(new PredictRatingsRequest { UserIds = { KnownUser }, ItemIds = { 1 }, Model = new ModelSpec { Name = name } }, deadline: Deadline()).ResponseAsync);
        await ExpectAsync(StatusCode.InvalidArgument, "model.name",
            _client.RecommendBatchAsync(new RecommendBatchRequest { UserIds = { KnownUser }, TopN = 1, Model = new ModelSpec { Name = name } }, deadline: Deadline()).ResponseAsync);
        await ExpectAsync(StatusCode.InvalidArgument, "model.name",
            _client.SimilarItemsAsync(new SimilarItemsRequest { ItemIds = { 1 }, TopN = 1, Model = new ModelSpec { Name = name } }, deadline: Deadline()).ResponseAsync);
        await ExpectAsync(StatusCode.InvalidArgument, "name",
            _client.GetModelInfoAsync(new GetModelInfoRequest { Name = name }, deadline: Deadline()).ResponseAsync);

        var answer = await _client.RecommendAsync(new RecommendRequest { UserId = KnownUser, TopN = 2 }, deadline: Deadline());
        Assert.Equal(2, answer.Items.Count);
    }

    [Fact]
    public async Task A_model_name_at_the_bound_is_looked_up()
    {
        var name = new string('x', RequestValidation.MaxModelNameLength);

        await ExpectAsync(StatusCode.NotFound, name,
            _client.RecommendAsync(new RecommendRequest { UserId = KnownUser, TopN = 1, Model = new ModelSpec { Name = name } }, deadline: Deadline()).ResponseAsync);
    }

    [Fact]
    public async Task Many_unknown_ids_are_listed_briefly()
    {
        var request = new PredictRatingsRequest();
        request.UserIds.AddRange(Enumerable.Range(0, 30).Select(i => 9_000_000_000L + i));
        request.ItemIds.AddRange(Enumerable.Repeat(1L, 30));

        var error = await ExpectAsync(StatusCode.NotFound, "user_ids", _client.PredictRatingsAsync(request, deadline: Deadline()).ResponseAsync);
        Assert.Contains($"{9_000_000_000L + StatusText.MaxListedIds - 1} and {30 - StatusText.MaxListedIds} more", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain($"{9_000_000_000L + StatusText.MaxListedIds},", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_users_of_a_batch_are_named_by_the_batch_field()
    {
        var request = new RecommendBatchRequest { TopN = 1, UserIds = { KnownUser, 9_000_000_001L } };

        var error = await ExpectAsync(StatusCode.NotFound, "user_ids: ", _client.RecommendBatchAsync(request, deadline: Deadline()).ResponseAsync);
        Assert.Contains("9000000001", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_undefined_model_kind_is_invalid()
    {
        await ExpectAsync(StatusCode.InvalidArgument, "model.kind",
            _client.RecommendAsync(new RecommendRequest { UserId = KnownUser, TopN = 1, Model = new ModelSpec { Kind = (ModelKind)99 } }, deadline: Deadline()).ResponseAsync);
        await ExpectAsync(StatusCode.InvalidArgument, "model.kind",
            _client.PredictRatingsAsync(new PredictRatingsRequest { UserIds = { KnownUser }, ItemIds = { 1 }, Model = new ModelSpec { Kind = (ModelKind)99 } }, deadline: Deadline()).ResponseAsync);
        await ExpectAsync(StatusCode.InvalidArgument, "model.kind",
            _client.RecommendBatchAsync(new RecommendBatchRequest { UserIds = { KnownUser }, TopN = 1, Model = new ModelSpec { Kind = (ModelKind)99 } }, deadline: Deadline()).ResponseAsync);
        await ExpectAsync(StatusCode.InvalidArgument, "model.kind",
            _client.SimilarItemsAsync(new SimilarItemsRequest { ItemIds = { 1 }, TopN = 1, Model = new ModelSpec { Kind = (ModelKind)99 } }, deadline: Deadline()).ResponseAsync);
    }

    [Fact]
    public async Task An_undefined_unknown_id_policy_is_invalid()
    {
        var request = new PredictRatingsRequest { UserIds = { 9_000_000_000L }, ItemIds = { 1 }, UnknownIdPolicy = (UnknownIdPolicy)77 };

        var error = await ExpectAsync(StatusCode.InvalidArgument, "unknown_id_policy", _client.PredictRatingsAsync(request, deadline: Deadline()).ResponseAsync);
        Assert.Contains("UNKNOWN_ID_POLICY_FALLBACK", error.Status.Detail, StringComparison.Ordinal);
        await ExpectAsync(StatusCode.InvalidArgument, "unknown_id_policy",
            _client.RecommendAsync(new RecommendRequest { UserId = KnownUser, TopN = 1, UnknownIdPolicy = (UnknownIdPolicy)77 }, deadline: Deadline()).ResponseAsync);
    }

    [Fact]
    public async Task A_malformed_body_is_invalid_and_says_so()
    {
        // Field 1 (model) claims 2^32 - 1 bytes; the body ends after the length.
        byte[] truncated = [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F];
        // Field 1 with wire type 7, which does not exist.
        byte[] badWireType = [0x0F, 0x01];

        foreach (var body in new[] { truncated, badWireType })
        {
            var error = await ExpectAsync(StatusCode.InvalidArgument, "not a valid protobuf message",
                OutsideClient.RawUnaryAsync(_server.Channel, "recommender.v1.InferenceService/PredictRatings", body));
            Assert.Contains("PredictRatings", error.Status.Detail, StringComparison.Ordinal);
        }

        var answer = await _client.RecommendAsync(new RecommendRequest { UserId = KnownUser, TopN = 2 }, deadline: Deadline());
        Assert.Equal(2, answer.Items.Count);
    }

    [Fact]
    public async Task The_configured_message_size_is_the_request_limit_and_over_it_is_resource_exhausted_naming_it()
    {
        // Above Kestrel's default body limit of 30,000,000 bytes, so that limit must not apply.
        const int limit = 31_000_000;
        await using var server = await InferenceServer.StartAsync(fixture.Repository.RepositoryPath,
            new Dictionary<string, string?> { ["Endpoints:MaxReceiveMessageBytes"] = $"{limit}" });
        await Eventually.ServingAsync(server.Channel);
        var client = new Contract.InferenceService.InferenceServiceClient(server.Channel);

        var under = ExcludingRequest(limit - 500_000);
        Assert.InRange(under.CalculateSize(), 30_000_001, limit);
        var answer = await client.RecommendAsync(under, deadline: Deadline());
        Assert.Equal(2, answer.Items.Count);

        var over = ExcludingRequest(limit + 500_000);
        var error = await ExpectAsync(StatusCode.ResourceExhausted, "Endpoints:MaxReceiveMessageBytes", client.RecommendAsync(over, deadline: Deadline()).ResponseAsync);
        Assert.Contains($"{limit}", error.Status.Detail, StringComparison.Ordinal);

        answer = await client.RecommendAsync(new RecommendRequest { UserId = KnownUser, TopN = 2 }, deadline: Deadline());
        Assert.Equal(2, answer.Items.Count);
    }

    // Ids the model does not know (excluding them is a no-op), 8 bytes each on the wire.
    private RecommendRequest ExcludingRequest(int approximateBytes)
    {
        var request = new RecommendRequest { UserId = KnownUser, TopN = 2 };
        request.ExcludeItemIds.AddRange(Enumerable.Range(0, approximateBytes / 8).Select(i => (1L << 49) + i));
        return request;
    }

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(20);

    private static async Task<RpcException> ExpectAsync<T>(StatusCode code, string named, Task<T> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(code, error.StatusCode);
        Assert.Contains(named, error.Status.Detail, StringComparison.Ordinal);
        Assert.True(error.Status.Detail.Length <= StatusText.MaxMessageChars, $"a {error.Status.Detail.Length}-character status message");
        return error;
    }
}
