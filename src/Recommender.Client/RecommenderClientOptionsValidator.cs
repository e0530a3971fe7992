using Microsoft.Extensions.Options;

namespace Recommender.Client;

/// <summary>Checks <see cref="RecommenderClientOptions"/> at start-up and names every field that is wrong.</summary>
public sealed class RecommenderClientOptionsValidator : IValidateOptions<RecommenderClientOptions>
{
    /// <summary>gRPC's channel-wide cap on attempts (GrpcChannelOptions.MaxRetryAttempts defaults to 5).</summary>
    public const int MaxAttemptsLimit = 5;

    public ValidateOptionsResult Validate(string? name, RecommenderClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Address is not null)
        {
            CheckAddress(nameof(options.Address), options.Address, options.UseTls, errors);
        }
        else if (options.TrainerAddress is null)
        {
            // A trainer-only client (the CLI's trainer commands, a version puller) sets TrainerAddress alone;
            // its IRecommenderClient then fails on resolution, naming Address.
            errors.Add($"{nameof(options.Address)} is required (http://host:port, https://host:port or dns:///host:port), " +
                $"unless only the trainer is called ({nameof(options.TrainerAddress)}).");
        }

        if (options.TrainerAddress is not null)
        {
            CheckAddress(nameof(options.TrainerAddress), options.TrainerAddress, options.UseTls, errors);
            if (!string.IsNullOrEmpty(options.Token) && !ChannelSettings.IsSecure(options.TrainerAddress, options.UseTls)
                && !options.AllowTokenOverInsecureChannel)
            {
                errors.Add($"{nameof(options.Token)} would be sent in plaintext to {options.TrainerAddress}: use TLS, or set " +
                    $"{nameof(options.AllowTokenOverInsecureChannel)} where the network is trusted.");
            }
        }

        if (options.DefaultDeadline <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(options.DefaultDeadline)} must be positive (was {options.DefaultDeadline}).");
        }

        if (options.DnsRefreshInterval <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(options.DnsRefreshInterval)} must be positive (was {options.DnsRefreshInterval}).");
        }

        if (options.MaxReceiveMessageBytes < 1024)
        {
            errors.Add($"{nameof(options.MaxReceiveMessageBytes)} must be at least 1024 (was {options.MaxReceiveMessageBytes}).");
        }

        var retry = options.Retry;
        if (retry is null)
        {
            errors.Add($"{nameof(options.Retry)} is required.");
        }
        else
        {
            if (retry.MaxAttempts is < 1 or > MaxAttemptsLimit)
            {
                errors.Add($"{nameof(options.Retry)}:{nameof(retry.MaxAttempts)} must be 1 to {MaxAttemptsLimit} (was {retry.MaxAttempts}).");
            }

            if (retry.InitialBackoff <= TimeSpan.Zero)
            {
                errors.Add($"{nameof(options.Retry)}:{nameof(retry.InitialBackoff)} must be positive (was {retry.InitialBackoff}).");
            }

            if (retry.MaxBackoff < retry.InitialBackoff)
            {
                errors.Add($"{nameof(options.Retry)}:{nameof(retry.MaxBackoff)} must be at least {nameof(retry.InitialBackoff)} (was {retry.MaxBackoff}).");
            }

            if (!(retry.BackoffMultiplier > 0) || double.IsInfinity(retry.BackoffMultiplier))
            {
                errors.Add($"{nameof(options.Retry)}:{nameof(retry.BackoffMultiplier)} must be a positive number (was {retry.BackoffMultiplier}).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckAddress(string field, Uri address, bool? useTls, List<string> errors)
    {
        if (!address.IsAbsoluteUri)
        {
            errors.Add($"{field} must be absolute (was '{address}').");
            return;
        }

        switch (address.Scheme)
        {
            case "http" or "https":
                if (string.IsNullOrEmpty(address.Host))
                {
                    errors.Add($"{field} has no host (was '{address}').");
                }

                if (useTls is { } tls && tls != (address.Scheme == Uri.UriSchemeHttps))
                {
                    errors.Add($"{field} is {address.Scheme} but {nameof(RecommenderClientOptions.UseTls)} is {tls}: the scheme already says.");
                }

                break;
            case "dns":
                if (ChannelSettings.DnsTarget(address) is not { Length: > 0 } target || target.EndsWith(':'))
                {
                    errors.Add($"{field} must name a host and port: dns:///host:port (was '{address}').");
                }

                break;
            default:
                errors.Add($"{field} must use http, https or dns (was '{address.Scheme}').");
                break;
        }
    }
}
