using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Recommender.Hosting;
using Recommender.Jobs;

namespace Recommender.TrainerService.Tests;

/// <summary>The shared translation with the trainer's map: shared rules first, then the host's.</summary>
public sealed class DomainErrorsTests
{
    private readonly DomainErrors _errors = new([new TrainerErrorMap()], NullLogger<DomainErrors>.Instance);

    [Fact]
    public async Task A_null_argument_is_a_bug_and_answers_internal_although_the_trainer_maps_argument_errors_to_invalid_argument()
    {
        var bug = await Assert.ThrowsAsync<RpcException>(() => _errors.Translate(() => Task.FromException(new ArgumentNullException("request"))));
        Assert.Equal(StatusCode.Internal, bug.StatusCode);
        Assert.IsType<ArgumentNullException>(bug.Status.DebugException);

        var invalid = await Assert.ThrowsAsync<RpcException>(() => _errors.Translate(() => Task.FromException(new ArgumentException("model_name: 'A B' is invalid."))));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("model_name", invalid.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shared_rules_and_the_hosts_map_give_each_exception_its_code_with_the_domain_message()
    {
        Assert.Equal(StatusCode.Cancelled, (await Assert.ThrowsAsync<RpcException>(() =>
            _errors.Translate(() => Task.FromException(new OperationCanceledException())))).StatusCode);

        var full = await Assert.ThrowsAsync<RpcException>(() => _errors.Translate<int>(() => Task.FromException<int>(new JobQueueFullException(3))));
        Assert.Equal(StatusCode.ResourceExhausted, full.StatusCode);
        Assert.Equal(new JobQueueFullException(3).Message, full.Status.Detail);

        var field = await Assert.ThrowsAsync<RpcException>(() => _errors.Translate(() => Task.FromException(new InvalidJobRequestException("mf.factors", "too many."))));
        Assert.Equal(StatusCode.InvalidArgument, field.StatusCode);
        Assert.Contains("mf.factors", field.Status.Detail, StringComparison.Ordinal);

        Assert.Equal(7, await _errors.Translate(() => Task.FromResult(7)));
    }

    [Fact]
    public async Task Exceptions_no_map_knows_and_status_exceptions_propagate_unchanged()
    {
        var unknown = new InvalidOperationException("not a domain error");
        Assert.Same(unknown, await Assert.ThrowsAsync<InvalidOperationException>(() => _errors.Translate(() => Task.FromException(unknown))));

        var status = new RpcException(new Status(StatusCode.PermissionDenied, "no"));
        Assert.Same(status, await Assert.ThrowsAsync<RpcException>(() => _errors.Translate(() => Task.FromException(status))));
    }
}
